"""Staff logins end when they lack a second factor (a login from before it was asked for,
or whose app a superuser has reset)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY

from . import two_factor


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
    logout(request)
    messages.info(request, reason)
    return request.user


def staff_session_end_reason(request, user):
    """Why this login must end now (a message for its owner), or None."""
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
    return None
