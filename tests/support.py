"""Helpers for the tests that use real services: where they are missing, and waiting."""

import email
import email.policy
import io
import os
import socket
import time
import uuid
from contextlib import contextmanager

import kombu.pools
import pytest
from PIL import Image

from appointments.spam import form_stamp
from practice.celery import app as celery_app

IN_CI = os.environ.get("CI") == "true"


def require(available, reason):
    """Skip a test whose service is missing here; in CI, fail it instead."""
    if not available:
        pytest.fail(reason) if IN_CI else pytest.skip(reason)


def redis_cache(location, **options):
    """CACHES for the practice's Redis cache at `location`."""
    return {
        "default": {
            "BACKEND": "practice.redis_cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        }
    }


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


@contextmanager
def celery_publishing_to(broker_url):
    """Queue tasks on a real broker from this process, instead of running them in it."""
    # Celery prefers the CELERY_BROKER_URL variable to broker_url, but not to these two.
    changed = {
        "broker_read_url": broker_url,
        "broker_write_url": broker_url,
        "task_always_eager": False,
    }
    saved = {key: celery_app.conf[key] for key in changed}
    drop_broker_connections()
    celery_app.conf.update(changed)
    try:
        yield celery_app
    finally:
        drop_broker_connections()
        celery_app.conf.update(saved)


def drop_broker_connections():
    """Forget the pools Celery keeps for the app's whole life, made for another broker.

    No public API resets them, hence the private attributes.
    """
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # Kombu keeps producer pools by broker address for the whole process too; a closed
    # one would be handed to the next test that publishes to the same broker.
    kombu.pools.reset()


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


def png_image(width=1, height=1):
    """A small valid PNG, for tests that upload a photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG_1X1 = png_image()


def admin_form_data(response, **changes):
    """What a browser posts back from the admin change page in `response`, with `changes`.

    Every inline's management form and rows are included, as the page renders them.
    """
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def fresh_submission(seconds_ago=60):
    """The appointment form's hidden fields as a page shown `seconds_ago` would post them:
    a new submission key, and the spam stamp bound to it. One pair per request: the same
    key twice is one request (a second tap), and a stamp with another key is refused."""
    key = uuid.uuid4()
    return {
        "submission_key": str(key),
        "shown_at": form_stamp(key, time.time() - seconds_ago),
    }
