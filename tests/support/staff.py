"""Staff logged in as the admin's login pages log them in: with an authenticator app."""

import time
from base64 import b32decode

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator(user):
    """The member of staff's authenticator app, set up (made if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def app_code(device, at=None):
    """The six digits the app shows at `at` (a Unix time; now unless told otherwise)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def code_from_key(key_text):
    """What an authenticator app shows now for the key typed from the set-up page."""
    key = key_text.replace(" ", "").upper()
    totp = TOTP(b32decode(key + "=" * (-len(key) % 8)))
    return f"{totp.token():06d}"


def unused_app_code(device):
    """A code the site takes now: this time step's, or the next one's (which it also
    takes) when this one has been used already, as a test that logs in twice needs."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    assert step <= totp.t() + device.tolerance, "every code the site takes now is used"
    return app_code(device, at=device.t0 + step * device.step)


def log_in_verified(client, user):
    """Log `user` in on a Django test client, verified by their authenticator app, as the
    code step leaves a login (django_otp.login)."""
    device = authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def log_in_through_the_pages(page, base_url, user, password):
    """Log in in a Playwright page as a member of staff does: the password, then the code
    that their authenticator app (set up already) shows."""
    device = authenticator(user)
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(unused_app_code(device))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
