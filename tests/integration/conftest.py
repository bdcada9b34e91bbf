"""Fault-injection fixtures for the real-stack tests: a broker, a mail server and Celery
processes of a test's own, that the test can stop, break or kill.

Each test gets its own redis-server as the broker, so that no other worker takes its
tasks and a task left over from one test (a retry still waiting) never reaches another.
"""

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import uuid
from contextlib import suppress
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import celery_environment, celery_process
from tests.support import Mailbox, free_port, require, wait_until

# Timings short enough for tests; the settings read them from the environment.
FAST_OUTBOX = {
    "NOTIFICATION_MAX_ATTEMPTS": "3",
    "NOTIFICATION_RETRY_BACKOFF": "1",
    "NOTIFICATION_RETRY_BACKOFF_MAX": "2",
    "NOTIFICATION_REQUEUE_AFTER": "2",
    "NOTIFICATION_REQUEUE_SWEEP_SECONDS": "1",
    # Longer than any send here takes, so that no live worker loses its row.
    "NOTIFICATION_SENDING_LEASE": "4",
}


class RedisServer:
    """A redis-server process on a loopback port, stopped and started on the same port."""

    def __init__(self, log_path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        assert wait_until(self.answers, timeout=10), self.log_path.read_text()

    def stop(self):
        """Stop it, losing whatever it held, as a broker that crashed would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


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
def celery_processes(smtp_server, tmp_path, request):
    """Start Celery workers and beat for this test's broker and mail server; all stop at
    the end of the test. `start(kind, broker=..., mail=..., **environment)`."""
    started = []

    def start(kind, *, broker, mail, name=None, concurrency=1, **extra_environment):
        _, environment = celery_environment(smtp_server)
        environment |= FAST_OUTBOX | extra_environment
        environment |= {"CELERY_BROKER_URL": broker.url, "EMAIL_URL": mail.url}
        name = name or f"{kind}-{len(started) + 1}"
        if kind == "worker":
            arguments = [
                *("worker", "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h"),
                *("--concurrency", str(concurrency), "--without-gossip", "--without-mingle"),
                *("--loglevel", "INFO"),
            ]
        else:
            arguments = ["beat", "--schedule", str(tmp_path / f"{name}-schedule")]
            arguments += ["--loglevel", "INFO"]
        context = celery_process(arguments, environment, tmp_path / f"{name}.log")
        process = context.__enter__()
        process.name = name
        started.append((context, process))
        if kind == "worker":
            assert wait_until(lambda: " ready." in log_of(process), timeout=30), log_of(process)
        return process

    yield start
    for context, process in reversed(started):
        # These processes have nothing left worth finishing, and even a cold shutdown
        # takes seconds per test.
        kill_with_children(process.pid)
        context.__exit__(None, None, None)


def log_of(process):
    return Path(process.log_path).read_text(errors="replace")


def children_of(pid):
    """The processes whose parent is `pid` (a prefork worker's pool processes)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name, in parentheses, may hold spaces: fields after it are fixed.
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                children.append(int(entry.name))
    return children


def connected_to(port, pids):
    """Which of `pids` has a TCP connection open to this loopback port (e.g. the SMTP
    server's), found through /proc as `ss -p` would."""
    remote = f"0100007F:{port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == remote and fields[3] == "01":  # 01: established
            inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def kill(pid):
    with suppress(ProcessLookupError):  # gone already
        os.kill(pid, signal.SIGKILL)


def kill_with_children(pid):
    """SIGKILL a process and its pool processes, as when its machine is lost."""
    children = children_of(pid)
    kill(pid)
    for child in children:
        kill(child)
