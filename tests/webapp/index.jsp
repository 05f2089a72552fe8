<%--
  A small page a user would recognise: which Tomcat answered (its route, from
  -Djk.test.route) and a per-session counter, so sticky sessions can be seen by eye.
--%><%@ page contentType="text/html; charset=UTF-8" trimDirectiveWhitespaces="true" %><%
    Integer count = (Integer) session.getAttribute("count");
    count = (count == null) ? 1 : count + 1;
    session.setAttribute("count", count);
    String route = System.getProperty("jk.test.route");
%><!DOCTYPE html>
<html>
<head><title>Tomcat <%= route %></title></head>
<body>
<p>Hello from Tomcat, route=<%= route %></p>
<p>session=<%= session.getId() %></p>
<p>count=<%= count %></p>
</body>
</html>
