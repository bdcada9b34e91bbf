"""A surgeon's private calendar feed (.ics), which Google Calendar, Outlook and Apple
Calendar subscribe to by its address: their booked appointments from a month back to half
a year ahead, each with its time, place, visit type and reference.

No patient's name, contact details or clinical answer is in it, nor is any read to make
it: the address may sit in a calendar app's settings and a provider's servers for years.
So fetching it is not in the audit log, which records who saw a patient's details.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from practice.selectors import cached_practice_details

from .calendar import appointment_uid
from .models import Appointment
from .surgeon_feeds import CalendarFeed

DAYS_BACK = 30
DAYS_AHEAD = 180
# How long a calendar app, or the surgeon's browser, may keep the feed before asking again.
FEED_MAX_AGE = 5 * 60


def feed_appointments(*, surgeon, today):
    """The surgeon's booked appointments in the feed's window, with the request's reference
    (and nothing else of the request) and the version of its calendar event."""
    first = timezone.make_aware(datetime.combine(today - timedelta(days=DAYS_BACK), time.min))
    last = timezone.make_aware(datetime.combine(today + timedelta(days=DAYS_AHEAD + 1), time.min))
    earlier = (
        Appointment.objects.filter(
            appointment_request=OuterRef("appointment_request"),
            created_at__lt=OuterRef("created_at"),
        )
        .order_by()
        .values("appointment_request")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Appointment.objects.filter(
            surgeon=surgeon,
            status=Appointment.Status.BOOKED,
            starts_at__gte=first,
            starts_at__lt=last,
        )
        .select_related("location", "visit_type")
        .annotate(
            reference=F("appointment_request__reference"),
            earlier_count=Coalesce(Subquery(earlier), Value(0)),
        )
        .order_by("starts_at")
    )


def feed_event(appointment, zone):
    location = appointment.location
    kind = appointment.visit_type.name if appointment.visit_type else "Appointment"
    event = Event()
    # The same event as the patient's calendar file, moved when the appointment moves.
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", 2 * appointment.earlier_count)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", f"{kind} — {appointment.reference}")
    event.add("location", ", ".join([location.name, *location.address_lines]))
    event.add("description", f"Reference {appointment.reference}.")
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def feed_calendar(feed, *, today):
    """The feed's calendar file, as bytes."""
    practice, _ = cached_practice_details()
    zone = timezone.get_current_timezone()
    calendar = Calendar()
    calendar.add("prodid", f"-//{practice.name}//Surgeon's calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{feed.surgeon.name} — {practice.name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Google Calendar fetches on its own schedule; Outlook and Apple Calendar read these.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for appointment in feed_appointments(surgeon=feed.surgeon, today=today):
        calendar.add_component(feed_event(appointment, zone))
    calendar.add_missing_timezones(
        first_date=today - timedelta(days=DAYS_BACK + 1),
        last_date=today + timedelta(days=DAYS_AHEAD + 1),
    )
    return calendar.to_ical()


@require_safe
def calendar_feed(request, token):
    """The feed at its secret address; a revoked or unknown address is not found, alike."""
    feed = CalendarFeed.objects.active().select_related("surgeon").filter(token=token).first()
    if feed is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        feed_calendar(feed, today=timezone.localdate()), content_type="text/calendar; charset=utf-8"
    )
    # Never public: the front keeps only what the site marks with X-Accel-Expires
    # (practice/page_cache.py), and no proxy between may keep it either.
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
