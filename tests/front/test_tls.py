"""The front with a certificate: HTTPS with TLS 1.2 or newer and HTTP/2 on FRONT_BIND;
on FRONT_HTTP_BIND, a redirect to it, but for certbot's challenges."""

import socket
import ssl
import subprocess

import pytest

from tests.support.front import Front
from tests.support.processes import free_port
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "2", "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
            *("-keyout", key, "-out", certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


@pytest.fixture(scope="module")
def tls_front(site, site_environment, certificate, tmp_path_factory):
    acme_root = tmp_path_factory.mktemp("acme")
    http_port = free_port()
    environment = site_environment | {
        "TLS_CERT": str(certificate[0]),
        "TLS_KEY": str(certificate[1]),
        "FRONT_HTTP_BIND": f"127.0.0.1:{http_port}",
        "ACME_ROOT": str(acme_root),
    }
    directory = tmp_path_factory.mktemp("tls-front")
    with Front(upstreams=[site.address], directory=directory, env=environment) as front:
        front.http_url = f"http://127.0.0.1:{http_port}"
        front.acme_root = acme_root
        yield front


@pytest.fixture
def browser_tls(certificate):
    """What a browser offers: TLS 1.2 and 1.3, HTTP/2 or 1.1, and it checks the certificate."""
    context = ssl.create_default_context(cafile=certificate[0])
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def handshake(front, context):
    connection = socket.create_connection(("127.0.0.1", front.port), timeout=5)
    with context.wrap_socket(connection, server_hostname="localhost") as tls:
        return tls.version(), tls.selected_alpn_protocol()


def test_https_speaks_tls_1_2_or_newer_and_http_2(tls_front, browser_tls):
    version, protocol = handshake(tls_front, browser_tls)

    assert version in ("TLSv1.2", "TLSv1.3")
    assert protocol == "h2"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize(
    "old", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=["TLS 1.0", "TLS 1.1"]
)
def test_tls_1_0_and_1_1_are_refused(tls_front, old):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Without this, the client's own OpenSSL would not offer them at all.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = old

    # The front's answer: an alert that it speaks no such version.
    with pytest.raises(ssl.SSLError, match="TLSV1_ALERT_PROTOCOL_VERSION"):
        handshake(tls_front, context)


def test_the_site_answers_over_https_and_knows_it(tls_front, browser_tls):
    browser_tls.set_alpn_protocols(["http/1.1"])

    answer = fetch(tls_front.url, "/appointments/", context=browser_tls)

    assert answer.status == 200
    assert "Book an appointment" in answer.text
    # The site sends it on HTTPS only: it believed the front's X-Forwarded-Proto.
    assert answer.header("Strict-Transport-Security").startswith("max-age=31536000")


def test_plain_http_is_sent_to_the_same_address_over_https(tls_front):
    answer = fetch(tls_front.http_url, "/conditions/?page=2&topic=neck")

    assert answer.status == 301
    assert answer.header("Location") == (
        f"https://127.0.0.1:{tls_front.port}/conditions/?page=2&topic=neck"
    )


def test_certbots_challenge_is_answered_over_plain_http(tls_front):
    challenge = tls_front.acme_root / ".well-known" / "acme-challenge" / "a-token_123"
    challenge.parent.mkdir(parents=True, exist_ok=True)
    challenge.write_text("a-token_123.the-account-thumbprint")

    answer = fetch(tls_front.http_url, "/.well-known/acme-challenge/a-token_123")

    assert answer.status == 200
    assert answer.text == "a-token_123.the-account-thumbprint"
