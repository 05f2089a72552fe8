#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target into fuzz/corpus/<target>/.

    python3 fuzz/make_seeds.py [--compat DIR]

The seeds are small, meaningful inputs in each target's input format (see the
comment at the top of each fuzz_<target>.c).  The workers.properties seeds are
the user configurations of conf/examples/ with their @PLACEHOLDERS@ filled in;
when a folder given with --compat is not found, the copies already in the corpus are kept.
Re-running rewrites the files; the output is deterministic.
"""
import argparse
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- AJP13 replies (container -> server) ---------------------------------------

def u16(n):
    return struct.pack(">H", n)


def ajp_str(s):
    if s is None:
        return u16(0xFFFF)
    b = s.encode("latin-1") if isinstance(s, str) else s
    return u16(len(b)) + b + b"\0"


CODED = {"Content-Type": 0xA001, "Content-Language": 0xA002, "Content-Length": 0xA003,
         "Date": 0xA004, "Last-Modified": 0xA005, "Location": 0xA006, "Set-Cookie": 0xA007,
         "Set-Cookie2": 0xA008, "Servlet-Engine": 0xA009, "Status": 0xA00A,
         "WWW-Authenticate": 0xA00B}


def send_headers(status, reason, headers, code_known=True):
    out = bytes([4]) + u16(status) + ajp_str(reason) + u16(len(headers))
    for name, value in headers:
        if code_known and name in CODED:
            out += u16(CODED[name])
        else:
            out += ajp_str(name)
        out += ajp_str(value)
    return out


def body_chunk(data, tomcat_nul=True):
    return bytes([3]) + u16(len(data)) + data + (b"\0" if tomcat_nul else b"")


def end_response(reuse=1):
    return bytes([5, reuse])


def get_body_chunk(n):
    return bytes([6]) + u16(n)


CPONG = bytes([9])


def packet(payload):
    return b"AB" + u16(len(payload)) + payload


def stream(*payloads):
    return b"\0" + b"".join(packet(p) for p in payloads)


def raw(payload):
    return b"\1" + payload


def ajp_reply_seeds():
    html = [("Content-Type", "text/html;charset=UTF-8"), ("Content-Length", "5"),
            ("Set-Cookie", "JSESSIONID=0A1B2C3D4E5F.worker1; Path=/app; HttpOnly"),
            ("Date", "Wed, 25 Nov 2026 22:00:00 GMT")]
    write("ajp_reply", "send_headers_coded", stream(send_headers(200, "OK", html)))
    write("ajp_reply", "send_headers_strings",
          stream(send_headers(404, "Not Found", [("X-Powered-By", "JSP/3.0"),
                                                  ("Cache-Control", "no-cache"),
                                                  ("Content-Type", "text/plain")],
                              code_known=False)))
    write("ajp_reply", "body_chunk", stream(body_chunk(b"hello")))
    write("ajp_reply", "end_reuse", stream(end_response(1)))
    write("ajp_reply", "end_no_reuse_no_flag", stream(bytes([5])))
    write("ajp_reply", "get_body_chunk", stream(get_body_chunk(8186)))
    write("ajp_reply", "cpong", stream(CPONG))
    write("ajp_reply", "whole_response",
          stream(get_body_chunk(8186), send_headers(200, "OK", html), body_chunk(b"hello"),
                 body_chunk(b"", tomcat_nul=False), end_response(1)))
    write("ajp_reply", "redirect_302",
          stream(send_headers(302, "Found", [("Location", "https://example.test/app/login"),
                                              ("Content-Length", "0")]), end_response(0)))
    write("ajp_reply", "auth_401",
          stream(send_headers(401, None, [("WWW-Authenticate", 'Basic realm="app"'),
                                           ("Content-Language", None)])))
    write("ajp_reply", "max_body_chunk", stream(body_chunk(b"x" * (8192 - 4 - 4))))
    write("ajp_reply", "short_read", b"\0" + packet(body_chunk(b"hello"))[:-3])
    write("ajp_reply", "server_magic", b"\0\x12\x34\x00\x01\x09")
    write("ajp_reply", "payload_null_reason", raw(send_headers(500, None, [("Status", "500")])))
    write("ajp_reply", "payload_bad_status", raw(send_headers(99, "Too low", [])))
    write("ajp_reply", "payload_unknown_type", raw(bytes([7, 0, 0])))
    write("ajp_reply", "payload_trailing", raw(CPONG + b"\0"))
    write("ajp_reply", "payload_unknown_code", raw(bytes([4]) + u16(200) + ajp_str("OK") + u16(1) +
                                                   u16(0xA0FF) + ajp_str("x")))


# --- workers.properties --------------------------------------------------------

PLACEHOLDERS = {"TOMCAT1_HOST": "127.0.0.1", "TOMCAT2_HOST": "localhost",
                "TOMCAT1_AJP_PORT": "8009", "TOMCAT2_AJP_PORT": "8010",
                "SECRET1": "s3cret-one", "SECRET2": "s3cret-two"}


def fill(text):
    return re.sub(r"@([A-Z0-9_]+)@", lambda m: PLACEHOLDERS.get(m.group(1), "x"), text)


def props_seeds(compat):
    if compat and os.path.isdir(compat):
        for name in sorted(os.listdir(compat)):
            if name.startswith("workers") and name.endswith(".properties"):
                with open(os.path.join(compat, name), encoding="utf-8") as f:
                    write("props", "compat-" + name, fill(f.read()))
    write("props", "status_worker",
          "worker.list=jkstatus\nworker.jkstatus.type=status\nworker.jkstatus.read_only=true\n"
          "worker.jkstatus.user=admin,ops\nworker.jkstatus.user=audit\n"
          "worker.jkstatus.css=/static/jk.css\nworker.jkstatus.good=a.o,a.n\n")
    write("props", "variables",
          "base_port=8009\nhost=10.0.0.5\nworker.list=a\n"
          "worker.a.host=$(host)\nworker.a.port=$(base_port)\n"
          "worker.a.route=node-$(host)-$(base_port)\nworker.a.secret=$(HOME)\n"
          "worker.a.source=$(undefined)\nworker.a.domain=$(unterminated\n")
    write("props", "references",
          "worker.list=lb\nworker.tmpl.type=ajp13\nworker.tmpl.socket_timeout=10\n"
          "worker.tmpl.ping_mode=A\nworker.w1.reference=worker.tmpl\nworker.w1.port=8009\n"
          "worker.w2.reference=worker.w1\nworker.w2.port=8010\nworker.w2.route=w2\n"
          "worker.lb.type=lb\nworker.lb.balance_workers=w1,w2\n")
    write("props", "reference_cycle",
          "worker.list=a\nworker.a.reference=worker.b\nworker.b.reference=worker.a\n"
          "worker.c.reference=c\n")
    write("props", "misspelled_and_old_keys",
          "worker.list=a\nworker.a.sockettimeout=5\nworker.a.conection_pool_size=10\n"
          "worker.a.cachesize=10\nworker.a.cache_timeout=60\nworker.a.jvm_route=r1\n"
          "worker.a.recycle_timeout=300\nworker.a.class_path=/x.jar\nworker.maintian=60\n"
          "worker.maintain=30\n")
    write("props", "host_forms",
          "worker.list=v6,v6b,hp,bad\nworker.v6.host=[::1]:8009\nworker.v6b.host=::1\n"
          "worker.hp.host=tomcat.example:8011\nworker.bad.host=[::1\nworker.bad.port=70000\n")
    write("props", "lb_full",
          "worker.list=lb,jkstatus\nworker.jkstatus.type=status\nworker.lb.type=lb\n"
          "worker.lb.balance_workers=n1 n2\nworker.lb.balanced_workers=n3\n"
          "worker.lb.method=B\nworker.lb.lock=P\nworker.lb.sticky_session_force=on\n"
          "worker.lb.session_cookie=SID\nworker.lb.session_path=;sid\nworker.lb.secret=shared\n"
          "worker.lb.recover_time=30\nworker.n1.route=a.b\nworker.n1.activation=D\n"
          "worker.n2.redirect=n3\nworker.n2.distance=2\nworker.n3.stopped=1\n"
          "worker.n1.fail_on_status=500,-503,404\nworker.n2.lbfactor=100\n")
    write("props", "errors",
          "worker.list=\nworker.x.type=ajp12\nworker.y.type=jni\nworker.lb.type=lb\n"
          "worker.lb.balance_workers=lb,lb\n=novalue\nnoequals\nworker.z.ping_mode=CQ\n"
          "worker.z.port=port\nworker.z.max_packet_size=65537\n")
    write("props", "comments_crlf",
          "# comment\r\n   worker.list = a   # trailing\r\n\r\n\tworker.a.port=8009\r\n"
          "worker.a.host = localhost \r\n#worker.a.port=1\n")
    write("props", "timeouts_and_pools",
          "worker.list=t\nworker.t.socket_timeout=2147483\nworker.t.socket_connect_timeout=0\n"
          "worker.t.connection_pool_size=65535\nworker.t.connection_pool_minsize=0\n"
          "worker.t.connect_timeout=1000\nworker.t.prepost_timeout=1000\n"
          "worker.t.connection_ping_interval=0\nworker.t.reply_timeout=2147483647\n"
          "worker.t.retries=1000\nworker.t.retry_interval=600000\nworker.t.max_packet_size=65536\n"
          "worker.t.recovery_options=31\nworker.t.socket_buffer=16777216\n")
    write("props", "long_line",
          "worker.list=a\nworker.a.host=" + "h" * 9000 + "\nworker.a.port=8009\n")
    write("props", "line_at_limit",
          "worker.list=a\nworker.a.route=" + "r" * (8192 - len("worker.a.route=")) +
          "\nworker.a.port=8009")
    write("props", "nested_dollars",
          "a=x\nb=$(a)$(a)$(a)\nc=$($(a))\nd=$(b)$(c)$(\nworker.list=$(b)\n")


# --- URI mapping ----------------------------------------------------------------

def uri_map_seeds():
    seeds = {
        "dotdot_semicolon": (0, ["/app/*=ajp13", "!/manager/*=ajp13", "/app/..;/manager/html"]),
        "double_slash": (0, ["/manager|/*=jkstatus;reply_timeout=1000", "!/manager/*=*",
                             "//manager/html"]),
        "encoded_dots": (0, ["/*=w0", "!/*.png=*", "/%2e%2e/WEB-INF/web.xml"]),
        "jsessionid_param": (0, ["/app/*.jsp=lb", "/app/./index.jsp;jsessionid=ABC.w1"]),
        "backslashes": (0, ["/app/*=w1", "/app\\..\\manager\\html"]),
        "above_root": (0, ["/*=w0", "/a/b/../../../etc/passwd"]),
        "exact_and_prefix": (0, ["/app=w0", "/app/*=w1", "/app/index.jsp=w2", "/app"]),
        "question_mark": (0, ["/a?c/*=w2", "/a*c/*=w1", "/abc/def"]),
        "extensions": (0, ["/shop|/*=shop;reply_timeout=60000;sticky_ignore=1;active=w1;"
                           "stopped=w2;disabled=w3;use_server_errors=500;stateless=on;"
                           "fail_on_status=503;session_cookie=SID;session_path=;sid;unknown=x",
                           "/shop"]),
        "plain_rules_excluded": (0x06, ["/app/*", "/app/secret/*", "/app/static/*",
                                        "/app/secret/x"]),
        "disabled_and_bad": (0, ["-/old/*=w1", "-!/old/keep/*=w1", "*.jsp=w0", "/x=", "/old/a"]),
        "dir_dot": (0, ["/a/*=w0", "/a/b/."]),
        "params_everywhere": (0, ["/a/*=w0", "/;x=y/a/;p/b;q=r/"]),
    }
    for name, (flags, lines) in seeds.items():
        write("uri_map", name, bytes([flags]) + "\n".join(lines).encode("latin-1"))


# --- session ids -----------------------------------------------------------------

def session_seeds():
    seeds = {
        "path_and_cookie": (0, ["/app/index.jsp;jsessionid=ABC123.worker1",
                                "Cookie: JSESSIONID=DEF456.worker2; other=1"]),
        "quoted": (0, ["/app/", 'Cookie: JSESSIONID="QUOTED.worker1"']),
        "several_cookies": (0, ["/", "Cookie: a=1, JSESSIONID=X.w1; JSESSIONID=Y.w2",
                                "Cookie: JSESSIONID=Z.w3"]),
        "no_route": (0, ["/", "Cookie: JSESSIONID=NOROUTE; b=ABC.", "JSESSIONID=ABC."]),
        "path_with_query": (0, ["/app;jsessionid=Z.w3?x=1;jsessionid=Q.w4/x"]),
        "custom_cookie_name": (5, ["/x", "Cookie: MYSESS=abc.r1", "X-Name: MYSESS"]),
        "lowercase_header": (0, ["/", "cookie: JSESSIONID=a.b"]),
        "spaces_around_equals": (0, ["/", "Cookie: JSESSIONID = ab.c ; x=y"]),
        "name_as_suffix": (0, ["/", "Cookie: XJSESSIONID=bad.r; JSESSIONID=good.r2"]),
        "param_without_semicolon": (0x08, ["/a/jsessionid=P.q/jsessionid", "Other: v"]),
        "uri_null": (0x40, ["/ignored;jsessionid=N.n", "Cookie: JSESSIONID=C.c"]),
        "many_dots": (0, ["/;jsessionid=A.B.C", "Cookie: JSESSIONID=..x"]),
        "sid_names": (0x24, ["/;sid=S1.r1;jsessionid=J.r", "Cookie: SID=S2.r2"]),
    }
    for name, (flags, lines) in seeds.items():
        write("session", name, bytes([flags]) + "\n".join(lines).encode("latin-1"))


# --- request encoding -------------------------------------------------------------

def request(flags=0, cap=0, stretch_len=0, stretch_target=0, remote_port=50000,
            server_port=80, lines=()):
    head = bytes([flags, cap]) + u16(stretch_len) + bytes([stretch_target]) + \
        u16(remote_port) + u16(server_port)
    return head + "\n".join(lines).encode("latin-1")


def request_seeds():
    base = ["GET", "/app/index.jsp", "HTTP/1.1", "192.0.2.10", "www.example.test"]
    write("request", "get_simple", request(lines=base + [
        "Host: www.example.test", "Accept: text/html", "User-Agent: curl/8.5",
        "Cookie: JSESSIONID=A.w1", "@q=a=1&b=2"]))
    write("request", "post_ssl_all", request(flags=3, server_port=443, lines=[
        "POST", "/app/login", "HTTP/1.1", "192.0.2.11", "secure.example.test",
        "Content-Type: application/x-www-form-urlencoded", "Content-Length: 27",
        "@c=-----BEGIN CERTIFICATE-----MIIB", "@C=TLS_AES_256_GCM_SHA384", "@S=0123abcd",
        "@p=TLSv1.3", "@k=256", "@l=10.0.0.1", "@r=worker1", "@s=s3cret", "@u=alice",
        "@a=BASIC"]))
    write("request", "unknown_method", request(lines=["PURGE", "/cache/x", "HTTP/1.1",
                                                      "127.0.0.1", "localhost"]))
    write("request", "webdav", request(lines=["PROPFIND", "/dav/", "HTTP/1.1", "127.0.0.1",
                                              "localhost", "Depth: 1",
                                              "Content-Type: text/xml"]))
    write("request", "small_packet", request(cap=0xC4, lines=base + [
        "Accept-Language: en", "Accept-Encoding: gzip", "Referer: http://x/", "Pragma: no-cache"]))
    write("request", "attributes", request(lines=base + [
        "+JK_LB_ACTIVATION=ACT", "+noval", "+=empty-name", "+SSL_CLIENT_S_DN=CN=x"]))
    write("request", "long_header_name_64k", request(cap=0xFF, stretch_len=0x9000,
                                                     stretch_target=2,
                                                     lines=base + ["X-Long-Name: v"]))
    write("request", "long_uri_overflows_8k", request(stretch_len=9000, stretch_target=1,
                                                      lines=base))
    write("request", "value_at_string_limit", request(cap=0xFF, stretch_len=0xFFFE,
                                                      stretch_target=3,
                                                      lines=base + ["X-Big: y"]))
    write("request", "empty_fields", request(flags=4, lines=["", "", "", "", "", ":", ": x",
                                                              "NoColon"]))
    write("request", "options_star", request(lines=["OPTIONS", "*", "HTTP/1.0", "::1",
                                                    "[::1]", "Connection: close"]))
    write("request", "long_secret", request(cap=0xC0, stretch_len=40, stretch_target=6,
                                            lines=base + ["@s=k"]))
    write("request", "coded_names_mixed_case", request(lines=base + [
        "ACCEPT: */*", "content-TYPE: a/b", "Cookie2: $Version=1", "authorization: Basic eDp5"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_compat = os.path.normpath(os.path.join(HERE, "..", "conf", "examples"))
    ap.add_argument("--compat", default=default_compat,
                    help="folder with the workers-*.properties fixtures (default: %(default)s)")
    args = ap.parse_args()
    if not os.path.isdir(args.compat):
        print(f"note: {args.compat} not found; compat seeds left as they are", file=sys.stderr)
    ajp_reply_seeds()
    props_seeds(args.compat)
    uri_map_seeds()
    session_seeds()
    request_seeds()
    for t in sorted(os.listdir(CORPUS)):
        print(f"{t}: {len(os.listdir(os.path.join(CORPUS, t)))} seeds")


if __name__ == "__main__":
    main()
