"""The times a patient may book: each clinic session cut into visits of the visit type's
length, less the days closed (the practice's, the location's or the surgeon's), less the
surgeon's booked appointments, never in the past nor closer than the booking notice.

Sessions are in the practice's wall-clock time, so a 9:00 clinic starts at 9:00 on
either side of a change of the clocks; a time the clocks skip is never offered.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from practice.models import Closure, Location, Surgeon

from ..models import Appointment
from ..scheduling import ClinicSession, VisitType

# How far ahead one look may reach (the JSON list's limit too).
MOST_DAYS = 60


@dataclass(frozen=True)
class OpenTime:
    start: datetime
    end: datetime
    location: Location
    surgeon: Surgeon
    visit_type: VisitType

    @property
    def local_start(self):
        return timezone.localtime(self.start)


def booking_notice():
    return timedelta(hours=settings.BOOKING_MIN_NOTICE_HOURS)


def open_times_find(
    *,
    visit_type: VisitType,
    first_day: date,
    days: int = 7,
    location: Location | None = None,
    now: datetime | None = None,
    notice: timedelta | None = None,
) -> list[OpenTime]:
    """The open times of `visit_type` from `first_day` for `days` days (at most
    MOST_DAYS), at `location` or any, earliest first. Four queries however many days."""
    now = now or timezone.now()
    earliest = now + (booking_notice() if notice is None else notice)
    days = max(0, min(days, MOST_DAYS))
    last_day = first_day + timedelta(days=days - 1)
    sessions = _sessions(visit_type, first_day, last_day, location)
    if not sessions or days == 0:
        return []
    closures = list(
        Closure.objects.filter(starts_on__lte=last_day, ends_on__gte=first_day).filter(
            Q(surgeon=None) | Q(surgeon__in={session.surgeon_id for session in sessions})
        )
    )
    booked = _booked(sessions, first_day, last_day)
    length = timedelta(minutes=visit_type.duration_minutes)
    found = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for session in sessions:
            if not session.runs_on(day) or _closed(closures, session, day):
                continue
            location, surgeon = session.location, session.surgeon
            taken = booked.get((session.surgeon_id, day))
            for start in _starts(session, day, length):
                end = start + length
                if start >= earliest and not _overlaps(taken, start, end):
                    found.append(OpenTime(start, end, location, surgeon, visit_type))
    found.sort(key=lambda time: (time.start, time.location.order, time.surgeon.name))
    return found


def _sessions(visit_type, first_day, last_day, location):
    sessions = ClinicSession.objects.filter(
        visit_types=visit_type,
        valid_from__lte=last_day,
        location__is_published=True,
        surgeon__is_published=True,
    ).filter(Q(valid_until=None) | Q(valid_until__gte=first_day))
    if location is not None:
        sessions = sessions.filter(location=location)
    return list(sessions.select_related("location", "surgeon"))


def _booked(sessions, first_day, last_day):
    """Each surgeon's booked (start, end) pairs over the days, by (surgeon id, day): a time
    is checked against its own day's alone, not the 60 days' hundreds."""
    rows = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        surgeon__in={session.surgeon_id for session in sessions},
        starts_at__lt=_midnight(last_day + timedelta(days=1)),
        ends_at__gt=_midnight(first_day),
    ).values_list("surgeon_id", "starts_at", "ends_at")
    booked = {}
    for surgeon_id, starts_at, ends_at in rows:
        # One that runs past midnight is on both days.
        day, last = timezone.localdate(starts_at), timezone.localdate(ends_at)
        while day <= last:
            booked.setdefault((surgeon_id, day), []).append((starts_at, ends_at))
            day += timedelta(days=1)
    return booked


def _closed(closures, session, day):
    return any(
        closure.starts_on <= day <= closure.ends_on
        and closure.location_id in (None, session.location_id)
        and closure.surgeon_id in (None, session.surgeon_id)
        for closure in closures
    )


def _starts(session, day, length):
    """The session's visits' start times that day, in wall-clock steps of `length`."""
    # The zone read once: Django's lookup of the current one, per time, was most of the cost.
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, session.starts, tzinfo=zone)
    close = datetime.combine(day, session.ends, tzinfo=zone)
    # The clocks change at most once a day: the same offset at both ends, and a start that
    # exists, and there is no change in between (nor a session inside the skipped hour).
    clocks_change = start.utcoffset() != close.utcoffset() or not _exists(start, zone)
    while start + length <= close:
        # A time the clocks skip (2:30 on the night they go forward) comes back changed.
        if not clocks_change or _exists(start, zone):
            yield start
        start += length


def _exists(wall_time, zone):
    through_utc = wall_time.astimezone(UTC).astimezone(zone)
    return through_utc.replace(tzinfo=None) == wall_time.replace(tzinfo=None)


def _overlaps(booked, start, end):
    return any(starts_at < end and start < ends_at for starts_at, ends_at in booked or ())


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
