import os
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import quote, urlparse

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from playwright.sync_api import sync_playwright

from practice.clinic_days import ClinicDays
from practice.page_cache import delete_content_version
from practice.selectors import delete_practice_details
from tests.factories import ConditionFactory, PracticeFactory
from tests.support import Mailbox, celery_publishing_to, free_port, fresh_submission, require

# Chromium as root, headless, with no calls home (this machine has no internet).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


@pytest.fixture
def practice():
    return PracticeFactory()


@pytest.fixture
def condition():
    return ConditionFactory(title="Revision spine surgery", slug="revision-spine-surgery")


@pytest.fixture
def valid_form_data(condition):
    """Every answer on the appointment form, follow-ups included; no emergency symptom.

    With the hidden fields of one showing of the form: posted again, it is the same request
    (a second tap). A test that sends several requests adds fresh_submission() to each.
    """
    open_day = ClinicDays.for_location(None).next_open_day(timezone.localdate() + timedelta(days=3))
    return {
        "full_name": "Ana María Núñez",
        "email": "ana@patient.test",
        "phone": "(201) 555-0199",
        "contact_method": "phone",
        "voicemail_ok": "yes",
        "patient_type": "new",
        "condition": condition.slug,
        "visit_kind": "second_opinion",
        "preferred_date": open_day.isoformat(),
        "preferred_time": "morning",
        "had_spine_surgery": "yes",
        "surgery_year": "2019",
        "surgery_level": "lumbar",
        "surgery_place": "Springfield General Hospital",
        "has_imaging": "yes",
        "imaging": ["mri", "x_ray"],
        "imaging_age": "under_6_months",
        "referring_doctor": "Dr. Lee, Riverside Family Practice",
        "message": "The pain came back a year after my fusion.",
        "consent": "on",
        # Shown a minute ago, as if the patient had filled it in: past the minimum time.
        **fresh_submission(seconds_ago=60),
    }


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a loopback port, for the whole session."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.messages.clear()
    return smtp_server


@pytest.fixture
def broker_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    require(url, "CELERY_BROKER_URL does not name a broker")
    return url


@pytest.fixture
def broker_down():
    """Celery pointed at a loopback port where no broker listens."""
    with celery_publishing_to(f"redis://127.0.0.1:{free_port()}/0") as app:
        yield app


def celery_environment(smtp_server):
    """What a Celery process of the tests needs: the test database, Redis database 15 as
    its broker (so that no other worker on that Redis takes these tasks), the SMTP server.
    """
    require(os.environ.get("CELERY_BROKER_URL"), "CELERY_BROKER_URL names no broker")
    require(
        connection.vendor == "postgresql",
        "a worker process needs a database server (DATABASE_URL=postgres://...)",
    )
    broker_url = urlparse(os.environ["CELERY_BROKER_URL"])._replace(path="/15").geturl()
    database = connection.settings_dict
    return broker_url, os.environ | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "SITE_URL": "https://practice.test",
        # A reminder is due from midnight on the day before, whatever time the tests run.
        "APPOINTMENT_REMINDER_HOUR": "0",
    }


@contextmanager
def celery_process(arguments, environment, log_path):
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "practice", *arguments],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, smtp_server, tmp_path_factory):
    """A real Celery worker process that takes tasks from Redis and mails the SMTP server."""
    broker_url, environment = celery_environment(smtp_server)
    arguments = [
        *("worker", "--hostname", f"tests-{uuid.uuid4().hex[:8]}@%h", "--concurrency", "1"),
        *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
    ]
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with celery_process(arguments, environment, log_path) as worker:
        worker.broker_url = broker_url
        yield worker


@pytest.fixture
def celery_beat(celery_worker, smtp_server, tmp_path):
    """Celery beat, sending the reminder sweep to the worker every second."""
    _, environment = celery_environment(smtp_server)
    environment["APPOINTMENT_REMINDER_SWEEP_SECONDS"] = "1"
    arguments = ["beat", "--schedule", str(tmp_path / "beat-schedule"), "--loglevel", "INFO"]
    with celery_process(arguments, environment, tmp_path / "beat.log") as beat:
        yield beat


@pytest.fixture
def celery_worker(celery_worker_process):
    """The worker, with this test's tasks queued for it through Redis."""
    with celery_publishing_to(celery_worker_process.broker_url):
        yield celery_worker_process


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    require(path, "Chromium is not installed (apt-get install chromium)")
    return path


# The screens the browser tests use: a small phone, and an office desktop.
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def browser(chromium_path):
    """One headless Chromium for the tests of a module; each page has a context of its own."""
    # Playwright's sync API runs an event loop in this thread, so Django treats the
    # tests' own (synchronous) database calls as async ones: allow them, and close the
    # connections they open, which live only while the loop runs. The loop runs from here
    # to the end of the module, no longer, so it never reaches the tests of other modules.
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            connections.close_all()


@contextmanager
def browser_page(browser, **context_options):
    """A page in a fresh browser context (no cookies, no storage), made with these options."""
    context = browser.new_context(**context_options)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser):
    """A Chromium page the size of a small phone (360 px wide)."""
    with browser_page(browser, **PHONE) as page:
        yield page


@pytest.fixture
def phone_page_without_javascript(browser):
    """A phone-sized Chromium page with JavaScript turned off, as some patients have it."""
    with browser_page(browser, java_script_enabled=False, **PHONE) as page:
        yield page


@pytest.fixture
def desktop_page(browser):
    """A Chromium page the size of an office desktop screen (1280 × 800)."""
    with browser_page(browser, **DESKTOP) as page:
        yield page
