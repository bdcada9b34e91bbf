"""Checks behind /healthz: can this process reach the database, the cache and the broker?"""

import logging

from django.core.cache import cache
from django.db import connection
from django.utils.crypto import get_random_string

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def database_is_up():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_is_up():
    token = get_random_string(12)
    key = f"healthz:{token}"  # one key per probe: several processes probe at once
    cache.set(key, token, timeout=10)
    return cache.get(key) == token


def broker_is_up():
    if celery_app.conf.task_always_eager:
        return True  # no broker configured: tasks run in this process
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return True


CHECKS = {"database": database_is_up, "cache": cache_is_up, "broker": broker_is_up}


def service_status():
    """Map each service to "up" or "down"."""
    status = {}
    for name, check in CHECKS.items():
        try:
            status[name] = "up" if check() else "down"
        except Exception as error:
            # A probe every few seconds: one line each, not a traceback.
            logger.warning("Health check: %s is down (%s: %s).", name, type(error).__name__, error)
            status[name] = "down"
    return status
