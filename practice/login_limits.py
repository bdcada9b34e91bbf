"""Failed staff logins counted by address and by user name, each across the other.

django-axes counts one user name from one address (the pair), so a stranger who tries a
few passwords on each of many names (password spraying), or one name from many addresses,
never reaches its limit. These two counts close that gap: failures from one address
whatever the names (ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT), and for one user name whatever
the addresses (ADMIN_LOGIN_NAME_FAILURE_LIMIT, over a longer window). A count runs from its
first failure for its window; at its limit the address or the name may not try again
until the window is over, or until the office manager lifts the lockout.

They are kept in the shared cache (Redis), which every web process reads. A wrong
password and a wrong code both count. When the cache is down nothing is counted and
nobody is refused: axes, which counts in the database, still guards each name.

Written here rather than with django-ratelimit, which the form's hourly limit uses: its
counts live under keys of its own making, one per clock window, so a lockout could be
neither lifted nor told when it ends.
"""

import hashlib
import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from .client_address import client_address

logger = logging.getLogger(__name__)

ADDRESS = "address"
USER_NAME = "username"
# The user name from this address, which axes counts (AXES_FAILURE_LIMIT).
PAIR = "pair"
# Changed to forget every count at once; part of every count's key.
GENERATION_KEY = "login-failures:generation"


@dataclass(frozen=True)
class Lockout:
    kind: str  # ADDRESS, USER_NAME or PAIR
    until: datetime


def _rules():
    return {
        ADDRESS: (settings.ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT, settings.ADMIN_LOGIN_ADDRESS_LOCKOUT),
        USER_NAME: (settings.ADMIN_LOGIN_NAME_FAILURE_LIMIT, settings.ADMIN_LOGIN_NAME_LOCKOUT),
    }


def normalised_username(username):
    """User names as one person would type them, so "Olive " and "olive" count as one."""
    return str(username or "").strip().casefold()


def login_subjects(request, username):
    """What the failures of this login count against: its address and its user name."""
    subjects = {ADDRESS: client_address(request) or "unknown"}
    if normalised_username(username):
        subjects[USER_NAME] = normalised_username(username)
    return subjects


def _keys(generation, kind, value):
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    prefix = f"login-failures:{generation}:{kind}:{digest}"
    return f"{prefix}:count", f"{prefix}:until"


def _generation():
    return cache.get(GENERATION_KEY) or "0"


def login_lockout_find(request, username):
    """The lockout that stops this login before its password (or code) is checked, or None.

    Checked first, so that a login refused changes nothing: not even axes' count.
    """
    return _counted_lockout(request, username) or _pair_lockout(request, username)


def _pair_lockout(request, username):
    if not username or not AxesProxyHandler.is_locked(request, get_credentials(username)):
        return None
    last_failure = AccessAttempt.objects.filter(
        username=username, ip_address=client_address(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    return Lockout(PAIR, (last_failure or timezone.now()) + settings.AXES_COOLOFF_TIME)


def _counted_lockout(request, username):
    try:
        generation = _generation()
        for kind, value in login_subjects(request, username).items():
            count_key, until_key = _keys(generation, kind, value)
            stored = cache.get_many([count_key, until_key])
            limit, _ = _rules()[kind]
            until = stored.get(until_key)
            if stored.get(count_key, 0) >= limit and until is not None and until > time.time():
                return Lockout(kind, datetime.fromtimestamp(until, tz=UTC))
    except Exception:
        logger.warning("The login failure counts could not be read.", exc_info=True)
    return None


def login_failure_record(request, username):
    """Count one failed login; the lockout it starts, if it reached a limit, else None."""
    lockout = None
    try:
        generation = _generation()
        for kind, value in login_subjects(request, username).items():
            limit, window = _rules()[kind]
            count, until = _count(*_keys(generation, kind, value), window.total_seconds())
            if count >= limit and lockout is None:
                lockout = Lockout(kind, datetime.fromtimestamp(until, tz=UTC))
    except Exception:
        logger.warning("A failed login could not be counted.", exc_info=True)
    return lockout


def _count(count_key, until_key, window):
    """Add one to a count whose window starts now if none is running: (count, until)."""
    now = time.time()
    until = cache.get(until_key)
    if until is not None and until <= now:
        # Over by the site's clock, though the cache (which counts by its own) keeps it.
        cache.delete_many([count_key, until_key])
    timeout = math.ceil(window)
    cache.add(until_key, now + window, timeout)
    cache.add(count_key, 0, timeout)
    try:
        count = cache.incr(count_key)
    except ValueError:
        # Expired between the two calls: this failure starts the next window.
        count = 1
        cache.set(count_key, count, timeout)
    return count, cache.get(until_key) or now + window


def login_lockout_lift(*, username=None, address=None):
    """Let this user name and this address log in again: forget their failures, axes'
    included (for the name from any address, and for any name from the address)."""
    subjects = {}
    if normalised_username(username):
        subjects[USER_NAME] = normalised_username(username)
        AccessAttempt.objects.filter(username__iexact=username.strip()).delete()
    if address:
        subjects[ADDRESS] = address
        AccessAttempt.objects.filter(ip_address=address).delete()
    try:
        generation = _generation()
        cache.delete_many(
            [key for kind, value in subjects.items() for key in _keys(generation, kind, value)]
        )
    except Exception:
        # Nothing counted in the cache stops a login while it is down.
        logger.warning("The login failure counts could not be forgotten.", exc_info=True)


def login_lockouts_lift_all():
    """Forget every failure counted so far, for every address and user name."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
