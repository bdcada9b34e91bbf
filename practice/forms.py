"""The staff login's code step."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp import verify_token

from . import two_factor

WRONG_CODE = "wrong_code"


class CodeForm(forms.Form):
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

    def clean_code(self):
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
