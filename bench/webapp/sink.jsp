<%--
  The benchmark's POST target: reads the whole request body, throws it away and answers with
  its length, so the work in Tomcat is the transfer itself.
--%><%@ page contentType="text/plain" session="false" trimDirectiveWhitespaces="true" %><%
    java.io.InputStream in = request.getInputStream();
    byte[] buf = new byte[16384];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
    }
%>read <%= total %> bytes
