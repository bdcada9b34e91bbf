"""Staff's second factor: a code from an authenticator app (TOTP), or a backup code.

A login to the admin goes in two steps. The password step only marks the session as
waiting for a code (`pending_login_start`): nobody is logged in yet, so no page, not even a
draft's preview, opens to a password alone. The code step (or, the first time, setting up
the app) logs the member of staff in and records the device that checked the code
(`django_otp.login`); every admin page asks for it (practice/admin_site.py), and a login
without it is ended (practice/staff_sessions.py).
"""

import time
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib import auth
from django.db import transaction
from django.utils.safestring import mark_safe
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Practice

PENDING_KEY = "staff_login_pending"
# Long enough to install an authenticator app the first time.
PENDING_SECONDS = 15 * 60
BACKUP_CODE_COUNT = 10
# What every authenticator app shows by default, and TOTPDevice expects.
APP_CODE_DIGITS = 6
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"


def is_required():
    return settings.STAFF_TWO_FACTOR_REQUIRED


def is_verified(user):
    """Whether a code has verified this login: django-otp's `user.is_verified()`, true
    also of the user that the code step has only just logged in."""
    return getattr(user, "otp_device", None) is not None


def issuer():
    return Practice.get_solo().name


@dataclass(frozen=True)
class PendingLogin:
    user: object
    backend: str
    next_url: str


def pending_login_start(request, *, user, next_url):
    """Remember that `user` gave the right password; a code must follow."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "started": time.time(),
    }


def pending_login(request):
    """The login waiting for its code in this session, or None (none, or too old)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending["started"] > PENDING_SECONDS:
        return None
    user = auth.get_user_model()._default_manager.filter(
        pk=pending["user"], is_active=True, is_staff=True
    )
    if not user.exists():
        return None
    return PendingLogin(user.get(), pending["backend"], pending["next"])


def pending_login_complete(request, *, pending, device):
    """Log in the member of staff whose code `device` has just accepted."""
    del request.session[PENDING_KEY]
    auth.login(request, pending.user, backend=pending.backend)
    otp_login(request, device)


def device_kind(device):
    """What checked a code, in words for the audit log."""
    return "authenticator app" if isinstance(device, TOTPDevice) else "backup code"


def confirmed_devices(user):
    return list(devices_for_user(user, confirmed=True))


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator_for_set_up(user):
    """The app being set up: its key stays the same until a code from it confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def authenticator_confirm(*, device):
    """Mark the app confirmed, and give its owner fresh backup codes (returned, to show once)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return backup_codes_replace(user=device.user)


def backup_codes_replace(*, user):
    """Ten new single-use backup codes for `user`, in place of any they had."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_reset(*, user):
    """Remove the user's apps and backup codes: they set up a new app at their next login.

    Returns (apps removed, backup codes removed). A login they have open ends on its next
    page, for it was verified by a device that is gone.
    """
    backup_codes = StaticToken.objects.filter(device__user=user).count()
    apps, _ = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return apps, backup_codes


def qr_code_svg(device):
    """The app's set-up address as a QR code, an inline SVG with no style attribute, which
    the Content-Security-Policy allows."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        title="QR code to scan with your authenticator app",
        svgclass="qr-code",
        lineclass=None,
    )
    # segno's own markup, of an address made from our own key: nothing typed by anyone.
    return mark_safe(svg)


def key_text(device):
    """The app's key in base32, as an app asks for it when typed, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def code_normalised(code):
    """A code as typed, without the spaces or dashes people add, in lower case."""
    return "".join(character for character in code if character not in " -").lower()


def accepts_shape(device, code):
    """Whether `code` looks like one `device` makes: digits for an app, letters and digits
    for a backup code. A backup code is then never spent trying it on the app."""
    app_code = code.isdigit() and len(code) == APP_CODE_DIGITS
    return app_code if isinstance(device, TOTPDevice) else not app_code
