<%--
  The benchmark's "small JSP page": a page a user's application might render, built by the
  JSP engine on every request (a loop, a few expressions), about 1.3 KiB of HTML. Its output
  is the same on every request, so httpd can serve a copy of it as the static ceiling.
--%><%@ page contentType="text/html; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
    String[] items = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                       "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa" };
%><!DOCTYPE html>
<html>
<head><title>Benchmark page</title></head>
<body>
<h1>Catalogue</h1>
<table>
<tr><th>#</th><th>item</th><th>code</th><th>price</th></tr>
<% for (int i = 0; i < items.length; i++) { %><tr><td><%= i + 1 %></td><td><%= items[i] %></td><td><%= items[i].toUpperCase().substring(0, 3) %>-<%= 1000 + i * 37 %></td><td><%= String.format("%d.%02d", 3 + i * 7 % 50, i * 13 % 100) %></td></tr>
<% } %></table>
<p>Thank you for shopping with us.</p>
</body>
</html>
