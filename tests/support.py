"""Helpers for the tests that use real services: where they are missing, and waiting."""

import email
import email.policy
import os
import socket
import time

import pytest

IN_CI = os.environ.get("CI") == "true"


def require(available, reason):
    """Skip a test whose service is missing here; in CI, fail it instead."""
    if not available:
        pytest.fail(reason) if IN_CI else pytest.skip(reason)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    return predicate()


class Mailbox:
    """An aiosmtpd handler that keeps every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count, timeout=30):
        wait_until(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)
