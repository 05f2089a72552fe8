<%--
  stream.jsp?parts=N&size=B&ms=M: N parts of B bytes each ("part i" then filler), flushed one
  by one with M milliseconds between them: a page that renders progressively, or a stream
  of events. The client should see each part when Tomcat flushes it, not at the end.
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" buffer="none" trimDirectiveWhitespaces="true" %><%
    int parts = Integer.parseInt(request.getParameter("parts") == null ? "3" : request.getParameter("parts"));
    int size = Integer.parseInt(request.getParameter("size") == null ? "100" : request.getParameter("size"));
    long ms = Long.parseLong(request.getParameter("ms") == null ? "500" : request.getParameter("ms"));
    for (int i = 1; i <= parts; i++) {
        StringBuilder part = new StringBuilder("part " + i + "\n");
        while (part.length() < size - 1)
            part.append('.');
        part.append('\n');
        out.print(part);
        out.flush();
        if (i < parts)
            Thread.sleep(ms);
    }
%>
