<%--
  respond.jsp?kind=K: a response of one kind, for comparing what clients receive.
    redirect  302 from sendRedirect (Tomcat makes the Location absolute)
    error     sendError(500, ...): Tomcat's own error page
    auth      401 with a WWW-Authenticate challenge
    names     headers whose names are in odd case, coded ones (content-LANGUAGE) included
    many      60 response headers
    big       one 6 KiB response header
    empty     a header with an empty value, and 200 with an empty body
    unavailable 503 with Retry-After
    type      a Content-Type in odd case
    baddate   a Last-Modified that is no date
    locations 302 with two Location headers
    future    a Last-Modified one year ahead
--%><%@ page contentType="text/plain; charset=UTF-8" session="false" trimDirectiveWhitespaces="true" %><%
    String kind = String.valueOf(request.getParameter("kind"));
    switch (kind) {
    case "redirect":
        response.sendRedirect("/echo/target?from=redirect");
        return;
    case "error":
        response.sendError(500, "respond.jsp error");
        return;
    case "auth":
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Basic realm=\"respond\"");
        out.print("authenticate\n");
        break;
    case "names":
        response.setHeader("content-LANGUAGE", "ko");
        response.setHeader("x-lower-name", "l");
        response.setHeader("X-UPPER-NAME", "U");
        response.setHeader("X-mIxEd-NaMe", "m");
        response.setDateHeader("last-modified", 0L);
        out.print("names\n");
        break;
    case "many":
        for (int i = 0; i < 60; i++)
            response.addHeader("X-Out-" + i, "value " + i);
        out.print("many\n");
        break;
    case "big":
        response.setHeader("X-Big-Out", "b".repeat(6144));
        out.print("big\n");
        break;
    case "empty":
        response.setHeader("X-Empty-Out", "");
        break;
    case "unavailable":
        response.setStatus(503);
        response.setHeader("Retry-After", "120");
        out.print("come back later\n");
        break;
    case "type":
        response.setContentType("Text/PLAIN; Charset=UTF-8");
        out.print("type\n");
        break;
    case "baddate":
        response.setHeader("Last-Modified", "yesterday, about noon");
        out.print("baddate\n");
        break;
    case "future":
        response.setDateHeader("Last-Modified", System.currentTimeMillis() + 365L * 86400000L);
        out.print("future\n");
        break;
    case "locations":
        response.setStatus(302);
        response.addHeader("Location", "/first");
        response.addHeader("Location", "/second");
        break;
    default:
        response.setStatus(400);
        out.print("unknown kind\n");
    }
%>
