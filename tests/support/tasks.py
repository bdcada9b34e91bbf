"""Celery against a real broker: publishing from this process, and worker and beat
processes of the site's own Celery app."""

import sys
from contextlib import contextmanager
from urllib.parse import quote

import kombu.pools

from practice.celery import app as celery_app

from .processes import ChildProcess

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


def celery(*arguments, env, log_path):
    """`celery --app practice <arguments>` as a child process."""
    command = [sys.executable, "-m", "celery", "--app", "practice", *arguments]
    return ChildProcess(command, env=env, log_path=log_path)


def worker_arguments(*, name, concurrency=1):
    """A worker that answers to `name` and talks to no other worker: tests and the
    benchmark start theirs on a broker of their own."""
    return [
        *("worker", "--hostname", f"{name}@%h", "--concurrency", str(concurrency)),
        *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
    ]


def beat_arguments(*, schedule_path):
    return ["beat", "--schedule", str(schedule_path), "--loglevel", "INFO"]


def database_url(settings_dict):
    """DATABASE_URL for a process that is to use the database these settings name."""
    user, password = quote(settings_dict["USER"] or ""), quote(settings_dict["PASSWORD"] or "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}"


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
