"""The patient's choice of a new time on the move page: one of the open times shown."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import open_times_find

NOT_OPEN = _("That time is not open any more. Please choose one of the times shown.")


class MoveForm(forms.Form):
    start = forms.CharField(
        label=_("New time"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a new time.")},
    )

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment

    def clean_start(self):
        """The open time chosen (an OpenTime), found again: what the page showed may have
        gone since, and an address can carry any value."""
        try:
            start = datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError:
            raise forms.ValidationError(NOT_OPEN, code="not_open") from None
        if timezone.is_naive(start):
            raise forms.ValidationError(NOT_OPEN, code="not_open")
        matching = [
            open_time
            for open_time in open_times_find(
                visit_type=self.appointment.visit_type,
                first_day=timezone.localdate(start),
                days=1,
                location=self.appointment.location,
            )
            if open_time.start == start
        ]
        if not matching:
            raise forms.ValidationError(NOT_OPEN, code="not_open")
        return matching[0]
