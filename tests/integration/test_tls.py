"""HTTPS through mod_ssl, seen from Tomcat: the request is secure, Tomcat gets the cipher, key
size, protocol and session, the client's certificate, and with JkOptions
+ForwardSSLCertChain the chain the client sent; JkExtractSSL Off forwards none of it.

The certificates come from the session's pki fixture (conftest.py)."""
import requests

import jkharness as jk

TIMEOUT = 10


def start(make_httpd, tomcat, pki, vhost_extra=""):
    port = jk.free_port()
    conf = (f"LoadModule jk_module @MODULE_PATH@\nJkWorkersFile @CONF_DIR@/workers.properties\n"
            f"JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\n"
            f"Listen 127.0.0.1:{port}\n<VirtualHost 127.0.0.1:{port}>\n"
            f"  SSLEngine on\n  SSLCertificateFile {pki}/server.pem\n"
            f"  SSLCertificateKeyFile {pki}/server.key\n"
            f"  SSLCACertificateFile {pki}/root.pem\n"
            f"  SSLVerifyClient optional\n  SSLVerifyDepth 3\n"
            f"  JkMount /*.jsp w1\n{vhost_extra}</VirtualHost>\n")
    workers = (f"worker.list=w1\nworker.w1.host={tomcat.host}\n"
               f"worker.w1.port={tomcat.ajp_port}\n")
    make_httpd(conf, files={"workers.properties": workers}, modules=("ssl",))
    return f"https://127.0.0.1:{port}"


def echo(base, pki, client_cert=False):
    cert = (str(pki / "client-chain.pem"), str(pki / "client.key")) if client_cert else None
    r = requests.get(f"{base}/echo.jsp", verify=str(pki / "root.pem"), cert=cert,
                     timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()


def test_https_reaches_tomcat_as_secure_with_its_tls_facts(make_httpd, tomcat, pki, jk_module):
    seen = echo(start(make_httpd, tomcat, pki), pki)
    attrs = seen["attributes"]
    assert seen["isSecure"] is True and seen["scheme"] == "https"
    # Tomcat keeps the AJP_SSL_PROTOCOL attribute under its own name.
    assert attrs["org.apache.tomcat.util.net.secure_protocol_version"] in ("TLSv1.2", "TLSv1.3")
    assert attrs["jakarta.servlet.request.cipher_suite"]
    assert int(attrs["jakarta.servlet.request.key_size"]) >= 128
    assert seen["certSubjects"] == []


def test_client_certificate_without_and_with_its_chain(make_httpd, tomcat, pki, jk_module):
    alone = echo(start(make_httpd, tomcat, pki), pki, client_cert=True)
    assert alone["certSubjects"] == ["CN=alice"]
    chained = echo(start(make_httpd, tomcat, pki, "  JkOptions +ForwardSSLCertChain\n"), pki,
                   client_cert=True)
    assert chained["certSubjects"] == ["CN=alice", "CN=JK Test Intermediate CA"]


def test_jk_extract_ssl_off_hides_tls_from_tomcat(make_httpd, tomcat, pki, jk_module):
    seen = echo(start(make_httpd, tomcat, pki, "  JkExtractSSL Off\n"), pki, client_cert=True)
    assert seen["isSecure"] is False
    assert seen["certSubjects"] == []
    assert "org.apache.tomcat.util.net.secure_protocol_version" not in seen["attributes"]
