<%--
  status.jsp?code=N[&message=text]: response.sendError(N), so Tomcat's own error page
  (its ErrorReportValve) is the body the client must get back unchanged. Default code: 404.
--%><%@ page session="false" trimDirectiveWhitespaces="true" %><%
    int code = Integer.parseInt(request.getParameter("code") == null ? "404" : request.getParameter("code"));
    String message = request.getParameter("message");
    if (message == null) {
        response.sendError(code);
    } else {
        response.sendError(code, message);
    }
%>
