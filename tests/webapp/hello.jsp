<%--
  A page as most pages are: it renders into Tomcat's response buffer and never calls
  flush(), so Tomcat sends it whole at the end.  It names the Tomcat that answered (its
  route, from -Djk.test.route) and keeps no session.  tests/chaos.py loads it: a response
  that the page itself flushed to the client cannot be sent again by any connector when
  its Tomcat dies before the end (see docs/chaos.md).
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %>hello from <%= System.getProperty("jk.test.route") %>
