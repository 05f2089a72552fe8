<%--
  download.jsp?size=N[&cl=1]: N bytes of a deterministic pattern (byte i is i % 251, a prime,
  so chunk boundaries never line up with the pattern), streamed in 8 KiB writes with a flush
  every 64 KiB, so a test can recompute the SHA-256. With cl=1 a Content-Length is set first;
  without it Tomcat streams the body with no length.
--%><%@ page session="false" trimDirectiveWhitespaces="true" %><%
    long size = Long.parseLong(request.getParameter("size") == null ? "0" : request.getParameter("size"));
    response.setContentType("application/octet-stream");
    if ("1".equals(request.getParameter("cl"))) {
        response.setContentLengthLong(size);
    }
    byte[] block = new byte[251 * 32];
    for (int i = 0; i < block.length; i++) {
        block[i] = (byte) (i % 251);
    }
    // The pattern restarts at every block because block.length is a multiple of 251.
    jakarta.servlet.ServletOutputStream os = response.getOutputStream();
    long sent = 0;
    long sinceFlush = 0;
    while (sent < size) {
        int n = (int) Math.min(block.length, size - sent);
        os.write(block, 0, n);
        sent += n;
        sinceFlush += n;
        if (sinceFlush >= 65536) {
            os.flush();
            sinceFlush = 0;
        }
    }
    // The JSP's own writer must not touch the response after the binary stream was used.
    out.clear();
    out = pageContext.pushBody();
%>
