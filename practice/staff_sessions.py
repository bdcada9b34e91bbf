"""Staff logins end after STAFF_SESSION_IDLE without a page, after SESSION_HOURS in all,
and when they lack a second factor (a login from before it was asked for, or whose app a
superuser has reset).

The session cookie itself ends with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY

from . import audit, two_factor

LAST_SEEN_KEY = "staff_last_seen"
STARTED_KEY = "staff_login_started"
# The last-seen time is written at most this often, not on every page.
LAST_SEEN_PRECISION_SECONDS = 60


class StaffSessionMiddleware:
    """Checks a login when the page first asks who the user is: the admin, a preview. A
    page that never asks (every patient's page) never loads the session for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.user = SimpleLazyObject(lambda: checked_user(request, user))
        return self.get_response(request)


def checked_user(request, user):
    """`user`, or no one when their login has just been ended."""
    reason = staff_session_end_reason(request, user)
    if reason is None:
        return user
    request.user = user
    audit.record(audit.Action.LOGGED_OUT, http_request=request, details={"why": reason})
    logout(request)
    messages.info(request, reason)
    return request.user


def staff_session_end_reason(request, user):
    """Why this login must end now (a message for its owner), or None; notes the time."""
    had_device = DEVICE_ID_SESSION_KEY in request.session
    if not user.is_authenticated:
        return None
    if two_factor.is_required() and not two_factor.is_verified(user):
        if had_device:
            return (
                "Your authenticator app was reset, so you were logged out. Log in again to "
                "set up the new one."
            )
        return "Please log in again, with a code from your authenticator app."
    now = time.time()
    last_seen = request.session.get(LAST_SEEN_KEY)
    idle = settings.STAFF_SESSION_IDLE.total_seconds()
    if last_seen is not None and now - last_seen > idle:
        minutes = round(idle / 60)
        return (
            f"To keep patients' details safe, you were logged out after {minutes} minutes "
            "without activity. Please log in again."
        )
    # Writing the time seen moves the session's own expiry on, so the length of a whole
    # login (SESSION_HOURS) is kept here.
    if now - request.session.setdefault(STARTED_KEY, now) > settings.SESSION_COOKIE_AGE:
        hours = round(settings.SESSION_COOKIE_AGE / 3600)
        return f"A login lasts {hours} hours at most: please log in again."
    if last_seen is None or now - last_seen >= LAST_SEEN_PRECISION_SECONDS:
        request.session[LAST_SEEN_KEY] = now
    return None
