<%--
  sleep.jsp?ms=N: waits N milliseconds before answering, for timeout tests.
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
    long ms = Long.parseLong(request.getParameter("ms") == null ? "0" : request.getParameter("ms"));
    Thread.sleep(ms);
    out.print("slept " + ms + " ms\n");
%>
