"""The staff login's forms: the password, the code, and lifting a lockout."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django_otp import verify_token

from . import two_factor
from .client_address import client_address
from .login_limits import ADDRESS, PAIR, USER_NAME, login_lockout_find

WRONG_CODE = "wrong_code"
LOCKED_OUT = "locked_out"

LOCKED_OUT_MESSAGES = {
    ADDRESS: "Too many failed logins from this address ({address}): logging in from here is "
    "paused until {until}.",
    USER_NAME: "Too many failed logins for this user name: it is paused until {until}.",
    PAIR: "Too many failed logins for this user name from this computer: it is paused "
    "until {until}.",
}


def lockout_error(lockout, request):
    until = timezone.localtime(lockout.until)
    when = date_format(until, "TIME_FORMAT")
    if until.date() != timezone.localdate():
        when += " on " + date_format(until, "l, F j")
    message = LOCKED_OUT_MESSAGES[lockout.kind].format(address=client_address(request), until=when)
    return ValidationError(
        f"{message} Try again then, or ask the office manager to lift the pause.",
        code=LOCKED_OUT,
    )


class LockoutMessageMixin:
    """Says on the form that a login is locked out, next to the field it is about."""

    # The lockout that refused this login before anything was checked.
    lockout = None

    def lockout_field(self, lockout):
        return None

    def add_lockout_error(self, lockout):
        self.add_error(self.lockout_field(lockout), lockout_error(lockout, self.request))

    def is_locked_out(self):
        errors = self.errors.as_data().values()
        return any(error.code == LOCKED_OUT for field_errors in errors for error in field_errors)


class StaffAuthenticationForm(LockoutMessageMixin, AdminAuthenticationForm):
    """The admin's password step, refused before the password is checked when the
    address or the user name is locked out."""

    def clean(self):
        self.lockout = login_lockout_find(self.request, self.cleaned_data.get("username"))
        if self.lockout is None:
            return super().clean()
        self.add_lockout_error(self.lockout)
        return self.cleaned_data

    def lockout_field(self, lockout):
        return None if lockout.kind == ADDRESS else "username"

    def password_was_wrong(self):
        """Whether the name and password were tried and refused (not a lockout, not a
        field left empty)."""
        return self.has_error(NON_FIELD_ERRORS, "invalid_login") or self.has_error(
            NON_FIELD_ERRORS, "inactive"
        )


class CodeForm(LockoutMessageMixin, forms.Form):
    """A code from the authenticator app, or a backup code, checked against `devices`."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, request, user, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.devices = devices
        self.device = None

    def lockout_field(self, lockout):
        return "code"

    def clean_code(self):
        self.lockout = login_lockout_find(self.request, self.user.get_username())
        if self.lockout is not None:
            raise lockout_error(self.lockout, self.request)
        code = two_factor.code_normalised(self.cleaned_data["code"])
        for device in self.devices:
            if not two_factor.accepts_shape(device, code):
                continue
            allowed, details = device.verify_is_allowed()
            if not allowed:
                raise ValidationError(self.wait_message(details), code="wait")
            self.device = verify_token(self.user, device.persistent_id, code)
            if self.device is not None:
                return code
        raise ValidationError(
            "That code is not right, or it has been used already. Type the code your app "
            "shows now, or one of your backup codes.",
            code=WRONG_CODE,
        )

    @staticmethod
    def wait_message(details):
        """django-otp's pause after a wrong code: 1, 2, 4, 8... seconds."""
        locked_until = details.get("locked_until")
        seconds = 1
        if locked_until is not None:
            seconds = max(1, round((locked_until - timezone.now()).total_seconds()))
        return (
            f"Several wrong codes in a row: wait {seconds} second{'s' if seconds != 1 else ''}, "
            "then type the code your app shows."
        )

    def code_was_wrong(self):
        return self.has_error("code", WRONG_CODE)


class LockoutLiftForm(forms.Form):
    """The user name, the address, or both, that may log in again."""

    username = forms.CharField(label="User name", max_length=150, required=False)
    address = forms.GenericIPAddressField(
        label="Address",
        required=False,
        help_text="As the “Too many failed logins” message shows it, e.g. 203.0.113.7.",
    )

    def clean(self):
        cleaned_data = super().clean()
        if not self.errors and not cleaned_data.get("username") and not cleaned_data.get("address"):
            raise ValidationError("Give a user name, an address, or both.")
        return cleaned_data
