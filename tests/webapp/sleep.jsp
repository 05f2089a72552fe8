<%--
  sleep.jsp?ms=N: waits N milliseconds before answering, for timeout tests.
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
    long ms = Long.parseLong(request.getParameter("ms") == null ? "0" : request.getParameter("ms"));
    // Tests that must act while the servlet sleeps wait for this line in Tomcat's console.
    System.out.println("sleep.jsp started: " + request.getMethod() + " " + request.getQueryString());
    System.out.flush();
    Thread.sleep(ms);
    out.print("slept " + ms + " ms, route=" + System.getProperty("jk.test.route") + "\n");
%>
