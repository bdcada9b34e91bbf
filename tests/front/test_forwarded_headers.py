"""What a client writes in X-Forwarded-* changes nothing: the site believes the front,
which tells it the address that connected and the scheme it used."""

import re

import pytest
from axes.models import AccessAttempt

from tests.factories import UserFactory
from tests.support.processes import free_port, wait_until
from tests.support.web import Browserless, fetch, gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The site sends it only on an answer it believes went over HTTPS.
HSTS = "Strict-Transport-Security"


def test_a_forged_scheme_does_not_make_the_site_believe_https(front, site):
    forged = {"X-Forwarded-Proto": "https"}

    through_the_front = fetch(front.url, "/appointments/", headers=forged)
    # Straight to gunicorn from another address than the front's (TRUSTED_PROXIES).
    from_a_stranger = fetch(
        site.url, "/appointments/", headers=forged, source_address=("127.0.0.2", 0)
    )
    # ... and, to show what believing it looks like, from the front's own address.
    from_the_fronts_address = fetch(site.url, "/appointments/", headers=forged)

    assert through_the_front.status == from_a_stranger.status == 200
    assert HSTS not in through_the_front.headers
    assert HSTS not in from_a_stranger.headers
    assert HSTS in from_the_fronts_address.headers


# Headers that make gunicorn itself, or Django, think a request came over HTTPS.
FORGED_SCHEMES = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
]


@pytest.fixture(scope="module")
def site_reached_directly(site_environment, tmp_path_factory):
    """gunicorn as a site without a front runs it: TRUSTED_PROXIES empty."""
    port = free_port()
    process = gunicorn(
        port=port,
        env=site_environment | {"TRUSTED_PROXIES": ""},
        log_path=tmp_path_factory.mktemp("direct") / "gunicorn.log",
        workers=1,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(Browserless(url).answers, timeout=30), process.log()
        yield url
    finally:
        process.stop()


@pytest.mark.parametrize("forged", FORGED_SCHEMES)
def test_without_a_trusted_front_no_forwarded_scheme_is_believed(site_reached_directly, forged):
    """Not even from the machine itself: gunicorn, which believes these from 127.0.0.1 by
    default, is told to believe none, and the site believes only TRUSTED_PROXIES."""
    answer = fetch(site_reached_directly, "/faq/", headers=forged)

    assert answer.status == 200
    assert HSTS not in answer.headers


@pytest.mark.parametrize("forged", FORGED_SCHEMES)
def test_through_the_front_no_forged_scheme_is_believed(front, forged):
    answer = fetch(front.url, "/faq/", headers=forged)

    assert answer.status == 200
    assert HSTS not in answer.headers


def test_forged_addresses_do_not_save_a_password_guesser_from_the_lockout(front, site_environment):
    UserFactory(username="olive")
    login_page = fetch(front.url, "/admin/login/")
    cookie = login_page.header("Set-Cookie").split(";")[0]
    token = CSRF_TOKEN.search(login_page.text)[1]
    limit = int(site_environment["ADMIN_LOGIN_FAILURE_LIMIT"])

    def guess(number):
        return fetch(
            front.url,
            "/admin/login/",
            method="POST",
            body=f"csrfmiddlewaretoken={token}&username=olive&password=guess{number}",
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": f"6.6.6.{number}",
            },
        )

    refused = [guess(number) for number in range(limit + 1)]

    # The limit-th wrong password locks the name out from the address the front saw.
    assert [answer.status for answer in refused] == [200] * (limit - 1) + [429, 429]
    assert "Too many failed logins" in refused[-1].text
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
