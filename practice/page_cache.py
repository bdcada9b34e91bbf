"""Public pages kept whole in the shared cache (Redis in production), for every process.

Each page is stored with the site's content version, a token kept in the same cache, and
is served only while that token is current. Any save or delete of what a page shows
forgets the token, so every page is rendered afresh on its next request: a change staff
publish shows at once, on every machine, with no list of which pages show what. A page
that changes by time alone (a condition scheduled to go live) is handled by the token
itself: it lasts only until the next scheduled change, and each page is kept no longer.

The apps say what their pages show, from their AppConfig.ready(): `watch_models()` for the
models whose rows appear on public pages, `watch_schedule()` for when the next page goes
live by the clock. This module knows no app.

No public page reads its query string, so a page is kept under its path alone: a link
with tracking parameters (`utm_*`, `fbclid`) or a flood of made-up ones (`?x=123`) gets
the page already kept, and neither renders a page nor fills the cache.

The front (nginx) keeps the same pages for FRONT_CACHE_SECONDS, told so by the
`X-Accel-Expires` header that only a page the same for everyone carries (see
`front_cache_until()`): a page marked by its address alone could hand one patient's form
to the next.

Only an anonymous visitor's GET or HEAD, with no session or messages cookie, is served
from or stored in the cache, only for a view marked `public_page`, and only when its
rendering used nothing of the visitor's own (no session, CSRF token or CSP nonce): what
is stored is the same for all.
"""

import hashlib
import logging
import math
import time
import uuid
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.encoding import escape_uri_path

logger = logging.getLogger(__name__)

VERSION_KEY = "pages:version"
STORED_STATUSES = {200, 301}
# Callables, each giving when a page next changes by the clock alone (or None).
SCHEDULES = []


def watch_models(*models):
    """Start a new content version on any save or delete of a row of `models`, or of a
    link in their many-to-many fields: the rows that public pages show."""
    for model in models:
        for signal in [post_save, post_delete]:
            signal.connect(forget_content, sender=model, dispatch_uid=f"pages.{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                forget_content, sender=field.remote_field.through, dispatch_uid=f"pages.{field}"
            )


def watch_schedule(next_change):
    """Keep each content version only until `next_change()`, when a page goes live."""
    if next_change not in SCHEDULES:
        SCHEDULES.append(next_change)


def next_scheduled_change():
    """When the next page goes live by the clock, or None if none is waiting."""
    moments = [moment for next_change in SCHEDULES if (moment := next_change()) is not None]
    return min(moments, default=None)


def now():
    return timezone.now()


def is_current(version):
    return version is not None and (version["until"] is None or version["until"] > now())


def current_version(version):
    """`version` if it is still current, else a new one (stored unless another process
    stored one first, in which case that one)."""
    if is_current(version):
        return version
    version = {"token": uuid.uuid4().hex, "until": next_scheduled_change()}
    # Kept until staff change something, or until the next scheduled page goes live, when
    # the cache drops it; add(), so that of two processes starting a version at once, both
    # use the one that was stored first.
    timeout = None if version["until"] is None else seconds_until(version["until"])
    if not cache.add(VERSION_KEY, version, timeout):
        stored = cache.get(VERSION_KEY)
        if is_current(stored):
            return stored
        # Run out by this process's clock, but not yet dropped by the cache, which counts
        # whole seconds by its own clock: replace it, or no page is kept until it goes.
        cache.set(VERSION_KEY, version, timeout)
    return version


def seconds_until(moment):
    return max(1, math.ceil((moment - now()) / timedelta(seconds=1)))


def forget(key):
    """Drop a cached value now, and again once the change that called for it is committed.

    Now, so that the next request in this transaction (the admin's redirect, a test)
    sees the change; after the commit, because a request in another process may have
    cached the old rows in between.
    """
    delete_cached(key)
    transaction.on_commit(lambda: delete_cached(key))


def delete_cached(key):
    try:
        cache.delete(key)
    except Exception:
        # Staff's change is saved; what was cached expires with its timeout.
        logger.exception("The cached %s could not be forgotten.", key)


def forget_content(**kwargs):
    """Start a new content version: every cached page is rendered afresh."""
    forget(VERSION_KEY)


def delete_content_version():
    delete_cached(VERSION_KEY)


def page_address(request):
    """The page's address, less its query string, which no public page reads."""
    return escape_uri_path(request.path)


def page_key(address):
    return "pages:" + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


def page_timeout(version):
    if version["until"] is None:
        return settings.PAGE_CACHE_SECONDS
    return min(settings.PAGE_CACHE_SECONDS, seconds_until(version["until"]))


def is_anonymous_visit(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def is_the_same_for_everyone(request, response):
    """Whether a rendered page holds nothing that belongs to this visitor alone."""
    session = getattr(request, "session", None)
    return (
        response.status_code in STORED_STATUSES
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
        and not (session is not None and session.accessed)
    )


def serves_every_address(status, address, request):
    """Whether a page kept under `address` may answer this request, whatever its query
    string: a redirect carries the query string on, so it answers only the very address
    it was made for."""
    return status == 200 or address == request.get_full_path()


def front_cache_until():
    """The `X-Accel-Expires` value that lets the front keep a page FRONT_CACHE_SECONDS.

    nginx counts whole seconds and keeps a page while its expiry is not yet past, so
    "1" would keep it up to two seconds. An absolute time, the end of this clock second
    (and of the FRONT_CACHE_SECONDS - 1 after it), keeps it one second at most; the front
    and the site read the same clock (NTP), as HTTPS certificates need anyway.
    """
    return f"@{int(time.time()) + settings.FRONT_CACHE_SECONDS - 1}"


def public_page(view):
    """Mark a view whose pages are the same for every anonymous visitor, for
    PageCacheMiddleware."""

    @wraps(view)
    def public_view(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    public_view.is_public_page = True
    return public_view


def is_public_page(request):
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False
    return getattr(view, "is_public_page", False)


class PageCacheMiddleware:
    """Serve public pages from the shared cache, with an ETag and a 304 when unchanged.

    It stands just inside WhiteNoise, so a page found in the cache costs one round trip to
    the cache (the content version and the page, together) and none of the middleware
    below it: no session, CSRF, authentication or lockout check, and no database query.
    What it stores is the page as the middleware below finished it, with its
    Content-Security-Policy and other headers; those outside it (SecurityMiddleware) are
    added to every answer. Other pages pass through untouched, without a look in the cache.

    `Cache-Control: public, no-cache`: a browser or proxy may keep the page, but asks
    each time whether it is still current; the answer is a 304 from the cache here, so a
    change staff publish is seen on the next request everywhere, never a minute later.
    Staff, and anyone with a session, get `private, no-cache` and a page rendered for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_page(request):
            return self.get_response(request)
        # The host is checked below this middleware only on a miss: a hit is held to
        # ALLOWED_HOSTS too (a DisallowedHost is answered 400).
        request.get_host()
        shared = is_anonymous_visit(request)
        address = page_address(request) if shared else None
        key = page_key(address) if shared and settings.PAGE_CACHE_SECONDS else None
        version, stored = self.read(key) if key else (None, None)
        if (
            stored is not None
            and stored[0] == version["token"]
            and serves_every_address(stored[1], address, request)
        ):
            _, status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            for_everyone = True
        else:
            response = self.get_response(request)
            for_everyone = shared and is_the_same_for_everyone(request, response)
            if for_everyone:
                patch_cache_control(response, public=True, no_cache=True)
                set_response_etag(response)
                if version is not None and serves_every_address(
                    response.status_code, address, request
                ):
                    self.store(key, version, response)
            else:
                patch_cache_control(response, private=True, no_cache=True)
        if for_everyone and response.status_code == 200 and settings.FRONT_CACHE_SECONDS:
            response["X-Accel-Expires"] = front_cache_until()
        return get_conditional_response(request, etag=response.get("ETag"), response=response)

    def read(self, key):
        """The current content version and the page stored under `key`, if any."""
        try:
            found = cache.get_many([VERSION_KEY, key])
            return current_version(found.get(VERSION_KEY)), found.get(key)
        except Exception:
            logger.warning("The page cache could not be used; the page is rendered afresh.")
            return None, None

    def store(self, key, version, response):
        """Keep the page as plain values, quick to read back, with the version it shows."""
        page = (version["token"], response.status_code, list(response.items()), response.content)
        try:
            cache.set(key, page, page_timeout(version))
        except Exception:
            logger.warning("The cache could not be written; the page was not kept.")
