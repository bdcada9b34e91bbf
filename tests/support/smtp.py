"""A real SMTP server (aiosmtpd) on a loopback port, and the mailbox it delivers to."""

import asyncio
import email
import email.policy
import time
from contextlib import contextmanager

from .processes import free_port, wait_until


class Mailbox:
    """An aiosmtpd handler that keeps every message the server accepts, after holding
    each for `hold` seconds (a slow mail server). Messages are kept as they arrived and
    read on demand. With `keep=False` (make bench) it only counts them: keeping thousands
    slows the server enough to show in the benchmark's figures."""

    def __init__(self, hold=0, keep=True):
        self.hold = hold
        self.keep = keep
        self.count = 0
        self.received = []
        # Beside each message kept: the client's address and port, and when it arrived.
        self.arrivals = []
        self._parsed = []

    async def handle_DATA(self, server, session, envelope):
        if self.hold:
            await asyncio.sleep(self.hold)
        if self.keep:
            self.arrivals.append(f"{session.peer} at {time.time():.3f}")
            self.received.append(envelope.content)
        self.count += 1
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        """The messages accepted so far, as email.message.EmailMessage objects."""
        for content in self.received[len(self._parsed) :]:
            self._parsed.append(email.message_from_bytes(content, policy=email.policy.default))
        return list(self._parsed)

    def clear(self):
        self.received.clear()
        self.arrivals.clear()
        self._parsed.clear()
        self.count = 0

    def wait_for(self, count, timeout=30):
        wait_until(lambda: len(self.received) >= count, timeout)
        return self.messages


@contextmanager
def smtp_server(handler=None):
    """Serve `handler` (a new Mailbox by default) on a free loopback port; yields it, with
    the port in `handler.port`."""
    from aiosmtpd.controller import Controller

    handler = handler or Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()
