"""The site as the internet meets it: nginx with the project's own configuration in front
of gunicorn with the production settings, on the test database.

Started once for the session (the static files, gunicorn and nginx take seconds): one sync
gunicorn worker, so that a request it answered is in its access log before it takes the
next; the front on plain HTTP; a front with no web process behind it (and, in
test_tls.py, one with a certificate). Every test is marked `django_db(transaction=True)`:
a test writes what the site shows with the ORM, committed so that gunicorn sees it, and
the database is emptied after each test, so that nothing gunicorn wrote while answering
(the placeholder practice details a first page makes, a session) reaches another test. It
writes in the cache the site uses (REDIS_URL), so that a change forgets the pages
gunicorn keeps.
"""

import os
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.support.environment import require
from tests.support.front import NGINX, Front, has_brotli
from tests.support.processes import free_port, wait_until
from tests.support.tasks import database_url
from tests.support.web import Browserless, fetch, gunicorn

REQUEST_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+"')


@pytest.fixture(scope="session")
def site_environment(django_db_setup, static_root, tmp_path_factory):
    """The environment of the site's processes, as `make up` gives them."""
    require(Path(NGINX).exists(), "nginx is not installed")
    require(
        connection.vendor == "postgresql",
        "the site's processes need a database server (DATABASE_URL=postgres://...)",
    )
    require(os.environ.get("REDIS_URL"), "REDIS_URL names no Redis for the site's page cache")
    # pytest-django makes the test database only for a session with a test marked for it;
    # without one, the site's processes would use the database DATABASE_URL names.
    assert connection.settings_dict["NAME"].startswith("test_"), "no test database"
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_DEBUG": "false",
        # The tests' own key, so that a login made here (force_login) holds there.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(connection.settings_dict),
        "TRUSTED_PROXIES": "127.0.0.1",
        # Each wrong password costs the site a password hash (half a second): few of them.
        "ADMIN_LOGIN_FAILURE_LIMIT": "3",
        # The front on plain HTTP must reach the pages; which scheme the site believes shows
        # in its Strict-Transport-Security header, sent on HTTPS answers only.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        # Tasks run in the web process; no email leaves it.
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        "SITE_URL": "https://practice.test",
    }
    return environment


class Site:
    """gunicorn with one sync worker, and the requests it has answered."""

    def __init__(self, environment, folder):
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        self.access_log = folder / "gunicorn-access.log"
        self.access_log.touch()
        self.process = gunicorn(
            port=self.port,
            env=environment,
            log_path=folder / "gunicorn.log",
            workers=1,
            access_log=self.access_log,
        )

    def requests(self):
        """(method, target) of every request gunicorn answered so far, in order.

        A request of the test's own goes straight to gunicorn and is waited for in the
        log: its one worker logs each answer before it takes the next request, so every
        answer the test has already received is in the log by then.
        """
        marker = f"/front-tests/{uuid.uuid4().hex}"
        fetch(self.url, marker)
        assert wait_until(lambda: marker in self.access_log.read_text(), timeout=10)
        logged = REQUEST_LINE.findall(self.access_log.read_text())
        return [request for request in logged if not request[1].startswith("/front-tests/")]

    def was_asked(self, path):
        """How many requests for `path` (whatever their query string) gunicorn answered."""
        return sum(1 for _, target in self.requests() if target.partition("?")[0] == path)


@pytest.fixture(scope="session")
def site(site_environment, tmp_path_factory):
    site = Site(site_environment, tmp_path_factory.mktemp("gunicorn"))
    try:
        assert wait_until(Browserless(site.url).answers, timeout=30), site.process.log()
        yield site
    finally:
        site.process.stop()


@pytest.fixture(scope="session")
def front(site, site_environment, tmp_path_factory):
    """nginx on plain HTTP in front of the site, as `make up` runs it without TLS."""
    directory = tmp_path_factory.mktemp("front")
    with Front(upstreams=[site.address], directory=directory, env=site_environment) as front:
        yield front


@pytest.fixture(scope="session")
def lone_front(site_environment, tmp_path_factory):
    """nginx with no web process behind it: its upstream is a socket nobody listens on."""
    directory = tmp_path_factory.mktemp("lone-front")
    upstream = f"unix:{directory / 'no-web-process.sock'}"
    with Front(upstreams=[upstream], directory=directory, env=site_environment) as front:
        yield front


@pytest.fixture(autouse=True)
def media_root(settings, site_environment):
    """What the tests upload or write (a photo, the 503 page) goes where nginx and
    gunicorn read it."""
    settings.MEDIA_ROOT = Path(site_environment["MEDIA_ROOT"])
    return settings.MEDIA_ROOT


@pytest.fixture
def brotli_modules():
    """Debian's Brotli modules for nginx, which the front loads when they are there."""
    require(has_brotli(), "nginx's Brotli modules are not installed")


@pytest.fixture(params=["gzip", "br"])
def encoding(request):
    """Each compression a browser may ask for."""
    if request.param == "br":
        request.getfixturevalue("brotli_modules")
    return request.param
