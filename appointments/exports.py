"""The office's list of requests as a CSV file, for a spreadsheet.

Office columns only: no message, no clinical answers, no surgery details. The file leaves
the staff login, and those belong behind it.
"""

import phonenumbers
from django.conf import settings
from django.utils import timezone

from practice.spreadsheets import csv_download

from .models import staff_name


def phone_for_spreadsheet(phone):
    """The practice's own numbers as the office writes them; others in international form."""
    if not phone:
        return ""
    if phone.is_valid() and (
        phonenumbers.region_code_for_number(phone) == settings.PHONENUMBER_DEFAULT_REGION
    ):
        return phone.as_national
    return phone.as_international if phone.is_valid() else str(phone)


def local_time(moment, pattern="%Y-%m-%d %H:%M"):
    """`moment` in the practice's time zone, as the office reads it; "" for None."""
    return timezone.localtime(moment).strftime(pattern) if moment else ""


def yes_no(value):
    return {True: "Yes", False: "No"}.get(value, "")


# Each column's heading, and its value for a request annotated by `for_office()`.
COLUMNS = [
    ("Reference", lambda r: r.reference),
    (f"Received ({settings.TIME_ZONE})", lambda r: local_time(r.created_at)),
    ("Name", lambda r: r.full_name),
    ("Email", lambda r: r.email),
    ("Phone", lambda r: phone_for_spreadsheet(r.phone)),
    ("Preferred contact", lambda r: r.get_contact_method_display()),
    ("Voicemail OK", lambda r: yes_no(r.voicemail_ok)),
    ("New or returning", lambda r: r.get_patient_type_display()),
    ("Urgent", lambda r: yes_no(r.is_urgent)),
    ("Status", lambda r: r.get_status_display()),
    ("Assigned to", lambda r: staff_name(r.assignee) if r.assignee else ""),
    ("Condition", lambda r: r.condition_label),
    ("Kind of visit", lambda r: r.visit_label),
    ("Preferred location", lambda r: r.preferred_location_label),
    ("Preferred date", lambda r: r.preferred_date.isoformat()),
    ("Preferred time", lambda r: r.get_preferred_time_display()),
    (f"Appointment ({settings.TIME_ZONE})", lambda r: local_time(r.appointment_starts_at)),
    ("Appointment location", lambda r: r.appointment_location_name or ""),
]


def appointment_requests_csv(appointment_requests):
    """A download of these requests (annotated by `for_office()`), one row each."""
    return csv_download(
        f"appointment-requests-{timezone.localdate():%Y-%m-%d}.csv",
        [heading for heading, _ in COLUMNS],
        ([value(request) for _, value in COLUMNS] for request in appointment_requests),
    )
