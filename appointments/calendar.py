"""The calendar file (.ics) attached to a confirmation, in the practice's time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import mail_domain


def appointment_uid(appointment):
    """The request's one event, in the patient's calendar and in the surgeon's feed alike."""
    return f"appointment-request-{appointment.appointment_request_id}@{mail_domain()}"


def appointment_calendar(appointment, practice, *, cancelled=False):
    """One event: when and where, the practice's name and phone; nothing clinical.

    Every appointment of a request is the same event (one UID) in a newer version, so a
    new time moves the event in the patient's calendar and a cancellation removes it.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    location = appointment.location
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.calendar_sequence + (1 if cancelled else 0))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", f"Appointment at {practice.name}")
    event.add("location", ", ".join([location.name, *location.address_lines]))
    phone = location.phone or practice.phone
    description = f"Reference {appointment.appointment_request.reference}."
    if phone:
        description += f" To change or cancel, call {phone}."
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")

    calendar = Calendar()
    calendar.add("prodid", f"-//{practice.name}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(event)
    starts_on = appointment.starts_at.date()
    calendar.add_missing_timezones(
        first_date=starts_on - timedelta(days=366), last_date=starts_on + timedelta(days=366)
    )
    return calendar.to_ical()
