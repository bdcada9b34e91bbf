"""The office's calendar: for each day, each location's and surgeon's diary, with the
times booked, the times still free and the clinics blocked by a closure.

Free times are the patients' open times (open_times_find) without the booking notice: the
office may book a time a patient could not, down to the present minute.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from practice.models import Closure, Location, Surgeon

from ..models import Appointment, AppointmentRequest
from ..scheduling import ClinicSession, VisitType
from .open_times import open_times_find


@dataclass
class CalendarRow:
    """A line of a diary: a booked appointment, a free time (and the visit types that fit
    there), or a clinic blocked by a closure."""

    BOOKED = "booked"
    FREE = "free"
    BLOCKED = "blocked"

    kind: str
    start: datetime
    end: datetime
    appointment: Appointment | None = None
    visit_types: list[VisitType] = field(default_factory=list)
    closure: Closure | None = None

    @property
    def local_start(self):
        return timezone.localtime(self.start)

    @property
    def local_end(self):
        return timezone.localtime(self.end)


@dataclass
class Diary:
    location: Location
    surgeon: Surgeon | None
    sessions: list[ClinicSession] = field(default_factory=list)
    rows: list[CalendarRow] = field(default_factory=list)


@dataclass
class CalendarDay:
    day: date
    closures: list[Closure]
    diaries: list[Diary]

    @property
    def appointments(self):
        return [row.appointment for diary in self.diaries for row in diary.rows if row.appointment]


def office_calendar_find(
    *,
    first_day: date,
    days: int = 1,
    location: Location | None = None,
    surgeon: Surgeon | None = None,
    now: datetime | None = None,
) -> list[CalendarDay]:
    """Each day's diaries from `first_day` for `days` days, of `location` and `surgeon`
    or all; a diary for every clinic session that day, and for any appointment outside one."""
    now = now or timezone.now()
    last_day = first_day + timedelta(days=days - 1)
    sessions = _sessions(first_day, last_day, location, surgeon)
    closures = _closures(first_day, last_day, location, surgeon)
    booked = _booked(first_day, last_day, location, surgeon)
    free = _free(sessions, first_day, days, location, surgeon, now)
    calendar = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        day_closures = [c for c in closures if c.starts_on <= day <= c.ends_on]
        diaries = {}
        for session in sessions:
            if session.runs_on(day):
                diary = _diary(diaries, session.location, session.surgeon)
                diary.sessions.append(session)
                if closure := _closing(day_closures, session.location_id, session.surgeon_id):
                    start = timezone.make_aware(datetime.combine(day, session.starts))
                    end = timezone.make_aware(datetime.combine(day, session.ends))
                    diary.rows.append(CalendarRow(CalendarRow.BLOCKED, start, end, closure=closure))
        for appointment in booked.get(day, []):
            diary = _diary(diaries, appointment.location, appointment.surgeon)
            diary.rows.append(
                CalendarRow(
                    CalendarRow.BOOKED,
                    appointment.starts_at,
                    appointment.ends_at,
                    appointment=appointment,
                )
            )
        for (_, _, start), open_times in free.get(day, {}).items():
            diary = _diary(diaries, open_times[0].location, open_times[0].surgeon)
            end = max(open_time.end for open_time in open_times)
            visit_types = [open_time.visit_type for open_time in open_times]
            diary.rows.append(CalendarRow(CalendarRow.FREE, start, end, visit_types=visit_types))
        for diary in diaries.values():
            diary.rows.sort(key=lambda row: (row.start, row.kind != CalendarRow.BLOCKED))
        ordered = sorted(
            diaries.values(),
            key=lambda d: (d.location.order, d.location.name, d.surgeon is None, str(d.surgeon)),
        )
        calendar.append(CalendarDay(day, day_closures, ordered))
    return calendar


def appointment_request_list_urgent_waiting():
    """Urgent requests nobody has booked yet, the oldest first: the office's first calls."""
    return (
        AppointmentRequest.objects.filter(
            is_urgent=True,
            status__in=[AppointmentRequest.Status.NEW, AppointmentRequest.Status.CONTACTED],
        )
        .select_related("preferred_location")
        .only("reference", "full_name", "status", "created_at", "preferred_location__name")
        .order_by("created_at")
    )


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _diary(diaries, location, surgeon):
    key = (location.pk, surgeon.pk if surgeon else None)
    if key not in diaries:
        diaries[key] = Diary(location, surgeon)
    return diaries[key]


def _closing(closures, location_id, surgeon_id):
    return next(
        (
            closure
            for closure in closures
            if closure.location_id in (None, location_id)
            and closure.surgeon_id in (None, surgeon_id)
        ),
        None,
    )


def _sessions(first_day, last_day, location, surgeon):
    sessions = ClinicSession.objects.filter(valid_from__lte=last_day).filter(
        Q(valid_until=None) | Q(valid_until__gte=first_day)
    )
    if location is not None:
        sessions = sessions.filter(location=location)
    if surgeon is not None:
        sessions = sessions.filter(surgeon=surgeon)
    visit_types = Prefetch("visit_types", queryset=VisitType.objects.order_by("order", "name"))
    return list(sessions.select_related("location", "surgeon").prefetch_related(visit_types))


def _closures(first_day, last_day, location, surgeon):
    closures = Closure.objects.filter(starts_on__lte=last_day, ends_on__gte=first_day)
    if location is not None:
        closures = closures.filter(Q(location=None) | Q(location=location))
    if surgeon is not None:
        closures = closures.filter(Q(surgeon=None) | Q(surgeon=surgeon))
    return list(closures.select_related("location", "surgeon"))


def _booked(first_day, last_day, location, surgeon):
    """The booked appointments by day, with the request's reference and name only: the
    calendar reads nothing clinical, so decrypts nothing."""
    appointments = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        starts_at__gte=_midnight(first_day),
        starts_at__lt=_midnight(last_day + timedelta(days=1)),
    )
    if location is not None:
        appointments = appointments.filter(location=location)
    if surgeon is not None:
        appointments = appointments.filter(surgeon=surgeon)
    appointments = appointments.select_related("location", "surgeon", "visit_type").annotate(
        reference=F("appointment_request__reference"),
        patient_name=F("appointment_request__full_name"),
    )
    by_day = {}
    for appointment in appointments.order_by("starts_at"):
        by_day.setdefault(timezone.localdate(appointment.starts_at), []).append(appointment)
    return by_day


def _free(sessions, first_day, days, location, surgeon, now):
    """The free times by day, then by (location, surgeon, start): the visit types that fit."""
    visit_types = {visit_type for session in sessions for visit_type in session.visit_types.all()}
    by_day = {}
    for visit_type in sorted(visit_types, key=lambda v: (v.order, v.name)):
        for open_time in open_times_find(
            visit_type=visit_type,
            first_day=first_day,
            days=days,
            location=location,
            now=now,
            notice=timedelta(0),
        ):
            if surgeon is not None and open_time.surgeon != surgeon:
                continue
            key = (open_time.location.pk, open_time.surgeon.pk, open_time.start)
            day = timezone.localdate(open_time.start)
            by_day.setdefault(day, {}).setdefault(key, []).append(open_time)
    return by_day
