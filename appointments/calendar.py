"""The calendar file (.ics) attached to a confirmation, in the practice's time zone."""

from datetime import timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def appointment_calendar(appointment, practice):
    """One event: when and where, the practice's name and phone; nothing clinical."""
    zone = ZoneInfo(settings.TIME_ZONE)
    location = appointment.location
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    event = Event()
    # The same UID for the same appointment, so a calendar updates rather than duplicates.
    event.add("uid", f"appointment-{appointment.pk}@{domain}")
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
    event.add("status", "CONFIRMED")

    calendar = Calendar()
    calendar.add("prodid", f"-//{practice.name}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    starts_on = appointment.starts_at.date()
    calendar.add_missing_timezones(
        first_date=starts_on - timedelta(days=366), last_date=starts_on + timedelta(days=366)
    )
    return calendar.to_ical()
