<%--
  Which Tomcat answered: the benchmark's check that every connector keeps a session on the
  Tomcat its cookie names (the jvmRoute after the dot), before the sticky mix is measured.
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%= System.getProperty("jk.test.route") %>
