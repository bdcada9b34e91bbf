"""The open times, kept whole in the shared cache under a version of their own.

Booking or freeing a time is no content edit: it must not throw away every public page,
and the pages' content version does not follow it. So open times keep their own token,
forgotten on any save or delete of what they are made of (appointments, clinic
sessions, visit types, closures, and the locations' and surgeons' names). Each answer is
kept with the moment it stops being true by the clock alone (its earliest time comes
inside the booking notice), and is not served after it, whatever the cache's timeout.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from practice import page_cache

logger = logging.getLogger(__name__)

VERSION_KEY = "open-times:version"


def watch_models(*models):
    """Forget the open times on any save or delete of a row of `models`, or of a link in
    their many-to-many fields."""
    for model in models:
        for signal in [post_save, post_delete]:
            signal.connect(
                open_times_forget, sender=model, dispatch_uid=f"open-times.{model._meta.label}"
            )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                open_times_forget,
                sender=field.remote_field.through,
                dispatch_uid=f"open-times.{field}",
            )


def open_times_forget(**kwargs):
    """Start a new version: every open time is found afresh on its next request.

    For a change made without signals (a queryset's update()), call it by hand."""
    page_cache.forget(VERSION_KEY)


def open_times_key(*parts):
    return "open-times:" + ":".join(str(part) for part in parts)


def read(key):
    """(the current version's token, the answer kept under `key` if still current), in one
    round trip; (None, None) when the cache cannot be read."""
    try:
        found = cache.get_many([VERSION_KEY, key])
        token = found.get(VERSION_KEY) or _new_version()
    except Exception:
        logger.warning("The open times' cache could not be read; they are found afresh.")
        return None, None
    kept = found.get(key)
    if kept is not None and kept[0] == token and (kept[1] is None or kept[1] > _now()):
        return token, kept
    return token, None


def store(key, token, until, body):
    """Keep `body` under the version `token` until `until` (a timestamp, or None: until the
    version changes), and no longer than the pages are kept."""
    if token is None or not settings.PAGE_CACHE_SECONDS:
        return
    timeout = settings.PAGE_CACHE_SECONDS
    if until is not None:
        timeout = min(timeout, max(1, int(until - _now()) + 1))
    try:
        cache.set(key, (token, until, body), timeout)
    except Exception:
        logger.warning("The cache could not be written; the open times were not kept.")


def _new_version():
    """A new token, unless another process stored one first (then that one)."""
    token = uuid.uuid4().hex
    if cache.add(VERSION_KEY, token, None):
        return token
    if stored := cache.get(VERSION_KEY):
        return stored
    # Held in Redis but unreadable (written with a secret key the site no longer has): it
    # never expires, so replace it, or every request would find the times afresh.
    cache.set(VERSION_KEY, token, None)
    return token


def _now():
    return timezone.now().timestamp()
