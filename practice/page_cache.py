"""Public pages kept whole in the shared cache (Redis in production), for every process.

Each page is stored with the site's content version, a token kept in the same cache, and
is served only while that token is current. Any save or delete of what a page shows
forgets the token (practice/apps.py), so every page is rendered afresh on its next
request: a change staff publish shows at once, on every machine, with no list of which
pages show what. A page that changes by time alone (a condition scheduled to go live) is
handled by the token itself: it lasts only until the next scheduled publication, and each
page is kept no longer than that.

Only an anonymous visitor's GET or HEAD, with no session or messages cookie, is served
from or stored in the cache, only for a view marked `public_page`, and only when its
rendering used nothing of the visitor's own (no session, CSRF token or CSP nonce): what
is stored is the same for all.
"""

import hashlib
import logging
import re
import uuid
from datetime import timedelta
from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)

VERSION_KEY = "pages:version"
STORED_STATUSES = {200, 301}
# Added to links by advertisers, social sites and mailing tools, often with a value of
# each click's own. A surge from a shared post or an advert would otherwise render every
# request afresh, so the cache keeps one page for all of them.
TRACKING_PARAMETER = re.compile(
    r"utm_\w+|fbclid|gclid|gbraid|wbraid|dclid|msclkid|yclid|ttclid|twclid|igshid|mc_[ce]id|_ga|_gl"
)


def now():
    return timezone.now()


def next_scheduled_change():
    """When the next scheduled condition goes live, or None if none is waiting."""
    from conditions.models import Condition

    return Condition.objects.filter(is_published=True, publish_at__gt=now()).aggregate(
        next=Min("publish_at")
    )["next"]


def current_version(version):
    """`version` if it is still current, else a new one (stored unless another process
    stored one first, in which case that one)."""
    if version is not None and (version["until"] is None or version["until"] > now()):
        return version
    version = {"token": uuid.uuid4().hex, "until": next_scheduled_change()}
    # Kept until staff change something; add(), so that of two processes starting a
    # version at once, both use the one that was stored first.
    if not cache.add(VERSION_KEY, version, None):
        version = cache.get(VERSION_KEY) or version
    return version


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
    """The page's address, less any tracking parameters (which no page reads)."""
    query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    kept = [(name, value) for name, value in query if not TRACKING_PARAMETER.fullmatch(name)]
    if len(kept) == len(query):
        return request.get_full_path()
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


def page_key(address):
    return "pages:" + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


def page_timeout(version):
    timeout = settings.PAGE_CACHE_SECONDS
    if version["until"] is not None:
        timeout = min(timeout, (version["until"] - now()) / timedelta(seconds=1))
    return max(1, int(timeout))


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
        and not response.cookies
        and not response.has_header("Vary")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
        and not (session is not None and session.accessed)
    )


def public_page(view):
    """Mark a view's pages as the same for every anonymous visitor, for PageCacheMiddleware."""

    @wraps(view)
    def marked_view(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.is_public_page = True
        return response

    return marked_view


class PageCacheMiddleware:
    """Serve public pages from the shared cache, with an ETag and a 304 when unchanged.

    It stands just inside WhiteNoise, so a page found in the cache costs one round trip to
    the cache (the content version and the page, together) and none of the middleware
    below it: no session, CSRF, authentication or lockout check, and no database query.
    What it stores is the page as the middleware below finished it, with its
    Content-Security-Policy and other headers; those outside it (SecurityMiddleware) are
    added to every answer.

    `Cache-Control: public, no-cache`: a browser or proxy may keep the page, but asks
    each time whether it is still current; the answer is a 304 from the cache here, so a
    change staff publish is seen on the next request everywhere, never a minute later.
    Staff, and anyone with a session, get `private, no-cache` and a page rendered for them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        shared = bool(settings.PAGE_CACHE_SECONDS) and is_anonymous_visit(request)
        address = page_address(request) if shared else None
        key = page_key(address) if shared else None
        version, stored = self.read(key) if shared else (None, None)
        if stored is not None and stored[0] == version["token"]:
            _, status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
        else:
            response = self.get_response(request)
            if not getattr(response, "is_public_page", False):
                return response
            if shared and is_the_same_for_everyone(request, response):
                patch_cache_control(response, public=True, no_cache=True)
                set_response_etag(response)
                # A redirect may carry the tracking parameters on: kept only without them.
                keep = response.status_code == 200 or address == request.get_full_path()
                if version is not None and keep:
                    self.store(key, version, response)
            else:
                patch_cache_control(response, private=True, no_cache=True)
        return get_conditional_response(request, etag=response.get("ETag"), response=response)

    def read(self, key):
        """The current content version and the page stored under `key`, if any."""
        try:
            found = cache.get_many([VERSION_KEY, key])
            return current_version(found.get(VERSION_KEY)), found.get(key)
        except Exception:
            logger.warning("The cache could not be read; the page is rendered afresh.")
            return None, None

    def store(self, key, version, response):
        """Keep the page as plain values, quick to read back, with the version it shows."""
        page = (version["token"], response.status_code, list(response.items()), response.content)
        try:
            cache.set(key, page, page_timeout(version))
        except Exception:
            logger.warning("The cache could not be written; the page was not kept.")
