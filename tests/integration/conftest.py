"""Fault-injection fixtures for the real-stack tests: a broker, a mail server and Celery
processes of a test's own, that the test can stop, break or kill.

Each test gets its own redis-server as the broker, so that no other worker takes its
tasks and a task left over from one test (a retry still waiting) never reaches another.
"""

import asyncio
import re
import shutil
import threading
import uuid

import pytest
from aiosmtpd.controller import Controller

from tests.live_stack import live_environment
from tests.support.environment import require
from tests.support.processes import free_port, wait_until
from tests.support.redis import RedisServer
from tests.support.smtp import Mailbox
from tests.support.tasks import FAST_OUTBOX, beat_arguments, celery, worker_arguments
from tests.support.web import Browserless, gunicorn


@pytest.fixture
def redis_server(tmp_path):
    """A broker of this test's own."""
    require(shutil.which("redis-server"), "redis-server is not installed")
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


class FaultySMTP(Mailbox):
    """An SMTP handler the test can tell to accept, refuse, drop the line or hold a message.

    - accept: keep the message and answer 250.
    - refuse: answer 451, as a busy or greylisting server does.
    - drop: close the connection without an answer.
    - hold: keep the client waiting (until the mode changes), e.g. while a test kills it.
    """

    def __init__(self):
        super().__init__()
        self.mode = "accept"
        self.attempts = []  # the mode met by each message the server was given
        self.held = []  # the Message-ID of each message held
        self.abandoned = []  # ... and of each one whose client went away while held
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode
        self.attempts.append(mode)
        if mode == "refuse":
            return "451 4.3.0 Mail server busy, try again later"
        if mode == "drop":
            server.transport.close()
            return "421 4.3.0 Closing connection"
        if mode == "hold":
            message_id = _message_id(envelope.content)
            self.held.append(message_id)
            self.holding.set()
            try:
                while self.mode == "hold":
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                # The client died (aiosmtpd cancels its handler): the server never
                # answered, so it keeps nothing, as a real one would.
                self.abandoned.append(message_id)
                raise
        return await super().handle_DATA(server, session, envelope)


def _message_id(content):
    found = re.search(rb"^Message-ID:\s*(\S+)", content, re.MULTILINE | re.IGNORECASE)
    return found[1].decode() if found else None


class MailServer:
    """An aiosmtpd server with a FaultySMTP handler that can also be down (a closed port)."""

    def __init__(self):
        self.handler = FaultySMTP()
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller = None

    @property
    def messages(self):
        return self.handler.messages

    def up(self):
        if self.controller is None:
            # A stopped controller cannot start again: a new one takes the same port.
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def down(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server():
    """A mail server of this test's own, accepting until the test breaks it."""
    server = MailServer()
    server.up()
    yield server
    server.handler.mode = "accept"  # let a held client go before stopping
    server.down()


@pytest.fixture
def celery_processes(tmp_path):
    """Start Celery workers and beat for this test's broker and mail server; all are
    killed at the end of the test. `start(kind, broker=..., mail=..., **environment)`."""
    started = []

    def start(kind, *, broker, mail, name=None, concurrency=1, **extra_environment):
        environment = live_environment(mail.port) | FAST_OUTBOX | extra_environment
        environment |= {"CELERY_BROKER_URL": broker.url, "EMAIL_URL": mail.url}
        name = name or f"{kind}-{len(started) + 1}"
        if kind == "worker":
            arguments = worker_arguments(
                name=f"{name}-{uuid.uuid4().hex[:6]}", concurrency=concurrency
            )
        else:
            arguments = beat_arguments(schedule_path=tmp_path / f"{name}-schedule")
        process = celery(*arguments, env=environment, log_path=tmp_path / f"{name}.log")
        process.name = name
        started.append(process)
        if kind == "worker":
            assert wait_until(lambda: " ready." in process.log(), timeout=30), process.log()
        return process

    yield start
    for process in reversed(started):
        # These processes have nothing left worth finishing, and even a cold shutdown
        # takes seconds per test.
        process.kill()


@pytest.fixture
def web_server(redis_server, mail_server, tmp_path):
    """gunicorn with two worker processes, as in production (Procfile), against the test
    database, queueing tasks on the test's own broker."""
    environment = live_environment(mail_server.port) | {
        "DJANGO_SETTINGS_MODULE": "tests.integration.live_settings",
        "CELERY_BROKER_URL": redis_server.url,
    }
    port = free_port()
    server = gunicorn(port=port, env=environment, log_path=tmp_path / "gunicorn.log")
    server.url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(Browserless(server.url).answers, timeout=30), server.log()
        yield server
    finally:
        server.kill()
