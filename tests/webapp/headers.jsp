<%--
  headers.jsp?status=N: answers with status N (default 200), three Set-Cookie headers in a
  known order (a=1, b=2, c=3), a custom header X-Test-Header and a repeated X-Multi-Out, so a
  test can check that the connector keeps repeated response headers and their order.
  Statuses 204 and 304 carry no body, as HTTP requires. The Servlet API cannot set a custom
  reason phrase, so there is no reason= parameter.
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
    int status = Integer.parseInt(request.getParameter("status") == null ? "200" : request.getParameter("status"));
    response.setStatus(status);
    response.addHeader("Set-Cookie", "a=1; Path=/");
    response.addHeader("Set-Cookie", "b=2; Path=/");
    response.addHeader("Set-Cookie", "c=3; Path=/");
    response.setHeader("X-Test-Header", "test value");
    response.addHeader("X-Multi-Out", "one");
    response.addHeader("X-Multi-Out", "two");
    if (status != 204 && status != 304) {
        out.print("headers status=" + status + "\n");
    }
%>
