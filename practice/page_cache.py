"""Public pages kept whole in the shared cache (Redis in production), for every process.

A page is stored under the site's content version, a token kept in the same cache. Any
save or delete of what a page shows forgets the token (practice/apps.py), so every page
is rendered afresh on its next request: a change staff publish shows at once, on every
machine, with no list of which pages show what. A page that changes by time alone (a
condition scheduled to go live) is handled by the token itself: it lasts only until the
next scheduled publication, and each page is kept no longer than that.

Only an anonymous visitor's GET or HEAD, with no session or messages cookie, is served
from or stored in the cache, and only a page whose rendering used nothing of the
visitor's own (no session, CSRF token or CSP nonce): what is stored is the same for all.
"""

import hashlib
import logging
import uuid
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)

VERSION_KEY = "pages:version"
STORED_STATUSES = {200, 301}


def now():
    return timezone.now()


def next_scheduled_change():
    """When the next scheduled condition goes live, or None if none is waiting."""
    from conditions.models import Condition

    return Condition.objects.filter(is_published=True, publish_at__gt=now()).aggregate(
        next=Min("publish_at")
    )["next"]


def content_version():
    """The current content version: a token and the time it stops being current."""
    version = cache.get(VERSION_KEY)
    if version is None or (version["until"] is not None and version["until"] <= now()):
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


def page_key(version, request):
    address = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    return f"pages:{version['token']}:{address}"


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
    """Serve a public page from the shared cache, with an ETag and a 304 when unchanged.

    `Cache-Control: public, no-cache`: a browser or proxy may keep the page, but asks
    each time whether it is still current; the answer is a 304 from the cache here, so a
    change staff publish is seen on the next request everywhere, never a minute later.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not settings.PAGE_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        if not is_anonymous_visit(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        try:
            version = content_version()
            key = page_key(version, request)
            response = cache.get(key)
        except Exception:
            logger.warning("The cache could not be read; the page is rendered afresh.")
            version = key = response = None
        if response is None:
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                # Stored as a plain response: the template and its context stay behind.
                response.render()
                response = HttpResponse(
                    response.content, status=response.status_code, headers=response.headers
                )
            if is_the_same_for_everyone(request, response):
                patch_cache_control(response, public=True, no_cache=True)
                set_response_etag(response)
                if key is not None:
                    try:
                        cache.set(key, response, page_timeout(version))
                    except Exception:
                        logger.warning("The cache could not be written; the page was not kept.")
            else:
                patch_cache_control(response, private=True, no_cache=True)
        return get_conditional_response(request, etag=response.get("ETag"), response=response)

    return cached_view
