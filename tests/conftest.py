"""What every test needs: a media folder of its own, a cache that starts empty (no failed
logins counted either), and the practice's basic content; for the tests that ask, the
static files as production collects them, and staff logged in with their second factor.
The live stack's fixtures (SMTP server, Celery worker, broker) are in tests/live_stack.py,
registered here; the browser's in tests/browser/conftest.py; the fault injection's in
tests/integration/conftest.py."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from practice.login_limits import login_lockouts_lift_all
from practice.page_cache import delete_content_version
from practice.selectors import delete_practice_details
from tests.factories import ConditionFactory, PracticeFactory
from tests.support.forms import appointment_answers, fresh_submission
from tests.support.staff import log_in_verified

pytest_plugins = ["tests.live_stack"]


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The static files as production collects them (hashed, with gzip and Brotli copies),
    into a folder of the tests' own; once a session, for compressing them takes seconds."""
    root = tmp_path_factory.mktemp("staticfiles")
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "collectstatic-test-only",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": str(root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
    )
    return root


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads (the surgeon's photo) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def forget_cached_practice_details_and_pages():
    """The cache (Redis in CI) outlives each test's rolled-back database: start afresh."""
    delete_practice_details()
    delete_content_version()


@pytest.fixture(autouse=True)
def forget_failed_logins():
    """Redis keeps the failed logins counted by address and name between tests and runs,
    and most tests log in from 127.0.0.1: each test starts with none."""
    login_lockouts_lift_all()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's, logged in as the admin's login pages do it: with a code from an
    authenticator app (tests/support/staff.py)."""
    return log_in_verified(client, admin_user)


@pytest.fixture
def practice():
    return PracticeFactory()


@pytest.fixture
def condition():
    return ConditionFactory(title="Revision spine surgery", slug="revision-spine-surgery")


@pytest.fixture
def valid_form_data(condition):
    """Every answer on the appointment form, follow-ups included; no emergency symptom.

    With the hidden fields of one showing of the form, shown a minute ago (past the
    minimum time): posted again, it is the same request (a second tap). A test that sends
    several requests adds fresh_submission() to each.
    """
    return appointment_answers(condition.slug) | fresh_submission(seconds_ago=60)
