"""The forms of the office's pages in the admin (appointments/admin.py)."""

from datetime import datetime

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.models import Location

from . import services
from .models import AppointmentRequest, OfficeNote, staff_name


def to_the_minute(moment):
    return moment.replace(second=0, microsecond=0)


class AppointmentRequestAdminForm(forms.ModelForm):
    """The office's fields, with the appointment's day, time and place beside the status."""

    appointment_date = forms.DateField(
        label="Appointment date", required=False, widget=widgets.AdminDateWidget
    )
    appointment_time = forms.TimeField(
        label="Appointment time",
        required=False,
        widget=widgets.AdminTimeWidget(format="%H:%M"),
        help_text="Practice time.",
    )
    appointment_location = forms.ModelChoiceField(
        Location.objects.published(), label="Appointment location", required=False
    )

    # The messages name what is missing, beside the field that is missing it.
    NEEDED_TO_SCHEDULE = {
        "appointment_date": "Enter the day of the appointment to schedule it.",
        "appointment_time": "Enter the time of the appointment to schedule it.",
        "appointment_location": "Choose where the appointment is to schedule it.",
    }

    class Meta:
        model = AppointmentRequest
        fields = ["status", "is_urgent", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].label_from_instance = staff_name
        self.current_appointment = self.instance.current_appointment() if self.instance.pk else None
        if self.current_appointment:
            starts_at = timezone.localtime(self.current_appointment.starts_at)
            self.initial.setdefault("appointment_date", starts_at.date())
            self.initial.setdefault("appointment_time", to_the_minute(starts_at).time())
            self.initial.setdefault("appointment_location", self.current_appointment.location_id)

    def clean(self):
        cleaned_data = super().clean()
        cleaned_data["starts_at"] = None
        if cleaned_data.get("status") != AppointmentRequest.Status.SCHEDULED:
            # The fields stay filled in when staff move a request on from Scheduled: the
            # service cancels the appointment, whatever they say.
            return cleaned_data
        for name, message in self.NEEDED_TO_SCHEDULE.items():
            if cleaned_data.get(name) is None and not self.has_error(name):
                self.add_error(name, message)
        if any(cleaned_data.get(name) is None for name in self.NEEDED_TO_SCHEDULE):
            return cleaned_data
        location = cleaned_data["appointment_location"]
        # The practice's time zone is Django's current one: make_aware reads the date
        # and time as the office does, whatever the server's own clock says.
        starts_at = timezone.make_aware(
            datetime.combine(cleaned_data["appointment_date"], cleaned_data["appointment_time"])
        )
        current = self.current_appointment
        if (
            current
            and current.location_id == location.pk
            and to_the_minute(current.starts_at) == starts_at
        ):
            # Unchanged: the service keeps the appointment as it is, with no new email.
            cleaned_data["starts_at"] = current.starts_at
            return cleaned_data
        try:
            services.appointment_validate_time(starts_at=starts_at, location=location)
        except ValidationError as error:
            about_the_time = error.code in services.TIME_OF_DAY_ERRORS
            self.add_error("appointment_time" if about_the_time else "appointment_date", error)
        cleaned_data["starts_at"] = starts_at
        return cleaned_data


class NewOfficeNoteForm(forms.ModelForm):
    class Meta:
        model = OfficeNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}
