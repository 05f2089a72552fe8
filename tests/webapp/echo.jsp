<%--
  Answers JSON describing exactly what Tomcat received, so a test can compare it with what
  the client sent through httpd and the connector.

  The work is done in an override of service(ServletRequest, ServletResponse) instead of the
  page body: the code Jasper generates for a page body answers 405 to every method except
  GET, POST, HEAD and OPTIONS, and the tests must see PUT, DELETE, PATCH, PROPFIND and
  invented methods arrive unchanged.

  The output is pure ASCII: every character outside printable ASCII is written as a \uXXXX
  escape, so any input gives valid JSON. Fields: method, requestURI, queryString, protocol, contentLength
  (getContentLengthLong(), -1 when unknown), contentType,
  headers ([name, value] pairs, names in first-seen order, repeated values kept), remote,
  server and local address facts, isSecure, scheme, remoteUser, authType, attributes,
  bodyLength, bodySha256, route (-Djk.test.route), connectionId (Tomcat's id of the TCP
  connection the request came in on), sessionId, requestedSessionId.
--%><%@ page session="false" trimDirectiveWhitespaces="true"
    import="java.io.IOException,java.io.InputStream,java.io.PrintWriter,java.security.MessageDigest,java.security.NoSuchAlgorithmException,java.util.Enumeration,jakarta.servlet.ServletException,jakarta.servlet.ServletRequest,jakarta.servlet.ServletResponse,jakarta.servlet.http.HttpServletRequest,jakarta.servlet.http.HttpSession" %><%!
    /** JSON string literal for s (null gives null). */
    static String q(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2);
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            b.append(String.format("%02x", x & 0xff));
        }
        return b.toString();
    }

    /** {"bodyLength": n, "bodySha256": "..."} members for the whole request body. */
    static String body(HttpServletRequest request) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        long length = 0;
        InputStream in = request.getInputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
            length += n;
        }
        return "\"bodyLength\": " + length + ", \"bodySha256\": " + q(hex(sha.digest()));
    }

    static String headers(HttpServletRequest request) {
        StringBuilder b = new StringBuilder("[");
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                b.append(b.length() > 1 ? ", " : "");
                b.append('[').append(q(name)).append(", ").append(q(values.nextElement())).append(']');
            }
        }
        return b.append(']').toString();
    }

    // Attributes the AJP connector received are found by getAttribute() but not always
    // listed by getAttributeNames(), so the names tests care about are also asked for.
    static final String[] KNOWN_ATTRIBUTES = {
        "AJP_REMOTE_PORT", "AJP_LOCAL_ADDR", "AJP_SSL_PROTOCOL", "JK_LB_ACTIVATION",
        "javax.servlet.include.request_uri", "jakarta.servlet.include.request_uri",
        "JK_TEST_SET", "JK_TEST_DEFAULT", "JK_TEST_UNSET",
        "jakarta.servlet.request.cipher_suite", "jakarta.servlet.request.key_size",
        "jakarta.servlet.request.ssl_session_id"
    };

    // The subjects of the client certificate and of the chain the connector forwarded.
    static String certSubjects(HttpServletRequest request) {
        Object certs = request.getAttribute("jakarta.servlet.request.X509Certificate");
        StringBuilder b = new StringBuilder("[");
        if (certs instanceof java.security.cert.X509Certificate[]) {
            for (java.security.cert.X509Certificate c : (java.security.cert.X509Certificate[]) certs) {
                b.append(b.length() > 1 ? ", " : "");
                b.append(q(c.getSubjectX500Principal().getName()));
            }
        }
        return b.append(']').toString();
    }

    static String attributes(HttpServletRequest request) {
        java.util.Map<String, Object> found = new java.util.TreeMap<>();
        for (Enumeration<String> names = request.getAttributeNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            found.put(name, request.getAttribute(name));
        }
        for (String name : KNOWN_ATTRIBUTES) {
            Object value = request.getAttribute(name);
            if (value != null)
                found.put(name, value);
        }
        StringBuilder b = new StringBuilder("{");
        for (java.util.Map.Entry<String, Object> e : found.entrySet()) {
            b.append(b.length() > 1 ? ", " : "");
            b.append(q(e.getKey())).append(": ").append(q(String.valueOf(e.getValue())));
        }
        return b.append('}').toString();
    }

    static String describe(HttpServletRequest r) throws IOException {
        HttpSession session = r.getSession(false);
        return "{\"method\": " + q(r.getMethod())
            + ", \"requestURI\": " + q(r.getRequestURI())
            + ", \"servletPath\": " + q(r.getServletPath())
            + ", \"pathInfo\": " + q(r.getPathInfo())
            + ", \"queryString\": " + q(r.getQueryString())
            + ", \"protocol\": " + q(r.getProtocol())
            + ", \"contentLength\": " + r.getContentLengthLong()
            + ", \"contentType\": " + q(r.getContentType())
            + ", \"headers\": " + headers(r)
            + ", \"remoteAddr\": " + q(r.getRemoteAddr())
            + ", \"remoteHost\": " + q(r.getRemoteHost())
            + ", \"remotePort\": " + r.getRemotePort()
            + ", \"serverName\": " + q(r.getServerName())
            + ", \"serverPort\": " + r.getServerPort()
            + ", \"localAddr\": " + q(r.getLocalAddr())
            + ", \"localPort\": " + r.getLocalPort()
            + ", \"isSecure\": " + r.isSecure()
            + ", \"scheme\": " + q(r.getScheme())
            + ", \"remoteUser\": " + q(r.getRemoteUser())
            + ", \"authType\": " + q(r.getAuthType())
            + ", \"attributes\": " + attributes(r)
            + ", \"certSubjects\": " + certSubjects(r)
            + ", " + body(r)
            + ", \"route\": " + q(System.getProperty("jk.test.route"))
            + ", \"connectionId\": " + q(r.getServletConnection().getConnectionId())
            + ", \"sessionId\": " + q(session == null ? null : session.getId())
            + ", \"requestedSessionId\": " + q(r.getRequestedSessionId())
            + "}\n";
    }

    @Override
    public void service(ServletRequest request, ServletResponse response)
            throws ServletException, IOException {
        String json = describe((HttpServletRequest) request);
        response.setContentType("application/json; charset=UTF-8");
        PrintWriter writer = response.getWriter();
        writer.print(json);
        writer.flush();
    }
%>
