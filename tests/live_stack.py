"""The real stack that the tests crossing a process boundary share: one SMTP server and
one Celery worker process for the whole session, Celery beat for a test that asks, and
the broker that CELERY_BROKER_URL names.

A pytest plugin, registered by tests/conftest.py: its fixtures are there for every
folder, and nothing here starts until a test asks for it.
"""

import os
import uuid
from urllib.parse import urlparse

import pytest
from django.db import connection

from tests.support.environment import require
from tests.support.processes import free_port, wait_until
from tests.support.smtp import smtp_server as serve_smtp
from tests.support.tasks import (
    beat_arguments,
    celery,
    celery_publishing_to,
    database_url,
    worker_arguments,
)


def live_environment(mail_port):
    """What a process of the tests' (a Celery worker, gunicorn) needs: the test database,
    Redis database 15 as its broker (so that no other worker on that Redis takes these
    tasks), the SMTP server on `mail_port`.
    """
    require(os.environ.get("CELERY_BROKER_URL"), "CELERY_BROKER_URL names no broker")
    require(
        connection.vendor == "postgresql",
        "a worker process needs a database server (DATABASE_URL=postgres://...)",
    )
    broker_url = urlparse(os.environ["CELERY_BROKER_URL"])._replace(path="/15").geturl()
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "SITE_URL": "https://practice.test",
        # A reminder is due from midnight on the day before, whatever time the tests run.
        "APPOINTMENT_REMINDER_HOUR": "0",
    }


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a loopback port, for the whole session."""
    with serve_smtp() as mailbox:
        yield mailbox


@pytest.fixture
def mailbox(smtp_server):
    """The SMTP server's mailbox, emptied for this test."""
    smtp_server.clear()
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


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, smtp_server, tmp_path_factory):
    """A real Celery worker process that takes tasks from Redis and mails the SMTP server."""
    environment = live_environment(smtp_server.port)
    name = f"tests-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with celery(*worker_arguments(name=name), env=environment, log_path=log_path) as worker:
        assert wait_until(lambda: " ready." in worker.log(), timeout=60), worker.log()
        worker.broker_url = environment["CELERY_BROKER_URL"]
        yield worker


@pytest.fixture
def celery_worker(celery_worker_process):
    """The worker, with this test's tasks queued for it through Redis."""
    with celery_publishing_to(celery_worker_process.broker_url):
        yield celery_worker_process


@pytest.fixture
def celery_beat(celery_worker, smtp_server, tmp_path):
    """Celery beat, sending the reminder sweep to the worker every second."""
    environment = live_environment(smtp_server.port)
    environment["APPOINTMENT_REMINDER_SWEEP_SECONDS"] = "1"
    arguments = beat_arguments(schedule_path=tmp_path / "beat-schedule")
    with celery(*arguments, env=environment, log_path=tmp_path / "beat.log") as beat:
        yield beat
