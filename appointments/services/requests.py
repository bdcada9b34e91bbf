"""A patient's request and the office's work on it: status, assignee, urgency, notes, and
the appointment booked, moved or cancelled, by the office or with the patient's link.

Each rule is here, not in a view or the admin, so that the admin, a shell and a command
obey the same ones: a rule that refuses raises ValidationError with a message for staff.
"""

import uuid
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from practice import audit
from practice.clinic_days import ClinicDays
from practice.models import Location, Practice, Surgeon

from ..models import (
    Appointment,
    AppointmentRequest,
    Notification,
    OfficeNote,
    StatusChange,
    VisitType,
    staff_name,
)
from .outbox import notification_queue_on_commit

Status = AppointmentRequest.Status


class Unchanged(Enum):
    """An argument the caller leaves as the request has it."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED
# The furthest ahead the office may book; a date beyond it is a typing mistake.
BOOKING_LIMIT = timedelta(days=730)
# The codes of appointment_validate_time()'s errors that are about the time of day; the
# others are about the day.
TIME_OF_DAY_ERRORS = {"time_passed", "time_does_not_exist"}


def appointment_request_create(
    *,
    submission_key: uuid.UUID | None = None,
    consent_wording: str,
    acknowledge: bool = True,
    **answers: object,
) -> AppointmentRequest:
    """Save a request, its history's first step and two outbox emails; queue them on commit.

    `answers` are the request's fields as the form cleaned them. A ticked emergency
    symptom makes the request urgent. The same submission key twice (a double tap, a
    resent form) saves and emails once: the request saved the first time is returned.
    Without `acknowledge` the patient gets no acknowledgment: a visit booked at once gets
    its confirmation instead.
    """
    if earlier := _request_with_key(submission_key):
        return earlier
    office_recipients = Practice.get_solo().get_office_recipients()
    try:
        with transaction.atomic():
            appointment_request = AppointmentRequest.objects.create(
                submission_key=submission_key,
                consent_wording=consent_wording,
                consented_at=timezone.now(),
                is_urgent=bool(answers.get("red_flags")),
                **answers,
            )
            StatusChange.objects.create(
                appointment_request=appointment_request,
                to_status=appointment_request.status,
                detail="Received from the website",
            )
            emails = [
                Notification(
                    appointment_request=appointment_request,
                    kind=Notification.Kind.OFFICE,
                    recipients=", ".join(office_recipients),
                )
            ]
            if acknowledge:
                emails.append(
                    Notification(
                        appointment_request=appointment_request,
                        kind=Notification.Kind.ACKNOWLEDGMENT,
                        recipients=appointment_request.email,
                    )
                )
            notifications = Notification.objects.bulk_create(emails)
            notification_queue_on_commit(notifications=notifications)
    except IntegrityError:
        # Both taps arrived at once, and the other one's transaction won.
        if earlier := _request_with_key(submission_key):
            return earlier
        raise
    return appointment_request


def appointment_request_exists(*, submission_key: uuid.UUID | None) -> bool:
    """Whether a request with this submission key is saved already (a second tap on Send)."""
    return _request_with_key(submission_key) is not None


def _request_with_key(submission_key):
    if submission_key is None:
        return None
    return AppointmentRequest.objects.filter(submission_key=submission_key).first()


def appointment_request_change_status(
    *,
    appointment_request: AppointmentRequest,
    status: str,
    by: AbstractUser | None,
    detail: str = "",
) -> StatusChange | None:
    """Move a request to `status` and record who did it and when.

    `by` is a staff user, or None for the patient. Nothing is recorded when the status
    stays the same, unless there is a detail to record (a new time, say).
    """
    if appointment_request.status == status and not detail:
        return None
    change = StatusChange.objects.create(
        appointment_request=appointment_request,
        from_status=appointment_request.status,
        to_status=status,
        changed_by=by,
        detail=detail,
    )
    if change.from_status != status:
        audit.record(
            audit.Action.REQUEST_STATUS_CHANGED,
            actor=by,
            appointment_requests=[appointment_request],
            details={"from": change.from_status, "to": status, "by_patient": by is None},
        )
    appointment_request.status = status
    appointment_request.save(update_fields=["status", "updated_at"])
    return change


def appointment_request_list_assignees() -> QuerySet:
    """The staff who may work a request, and so be given one: not every login (a content
    editor may not see requests)."""
    return get_user_model().objects.with_perm(
        "appointments.change_appointmentrequest",
        backend="django.contrib.auth.backends.ModelBackend",
    )


def appointment_request_assign(
    *,
    appointment_request: AppointmentRequest,
    assignee: AbstractUser | None,
    by: AbstractUser,
) -> None:
    """Give the request to a member of staff (or to nobody), and record it in the history."""
    if assignee is not None and not appointment_request_list_assignees().filter(pk=assignee.pk):
        raise ValidationError(
            "%(name)s cannot work appointment requests, so cannot be given one.",
            code="not_an_assignee",
            params={"name": staff_name(assignee)},
        )
    appointment_request.assignee = assignee
    appointment_request.save(update_fields=["assignee", "updated_at"])
    detail = f"Assigned to {staff_name(assignee)}" if assignee else "No longer assigned"
    appointment_request_change_status(
        appointment_request=appointment_request,
        status=appointment_request.status,
        by=by,
        detail=detail,
    )


def appointment_request_mark_urgent(
    *, appointment_request: AppointmentRequest, is_urgent: bool, by: AbstractUser
) -> None:
    """Mark the request urgent, or no longer urgent, and record it in the history."""
    appointment_request.is_urgent = is_urgent
    appointment_request.save(update_fields=["is_urgent", "updated_at"])
    appointment_request_change_status(
        appointment_request=appointment_request,
        status=appointment_request.status,
        by=by,
        detail="Marked urgent" if is_urgent else "No longer marked urgent",
    )


def appointment_request_mark_contacted(
    *, appointment_request: AppointmentRequest, by: AbstractUser
) -> None:
    """The office has called or written back: a new request moves to Contacted.

    Only a new one: a request further on (scheduled, say) would lose its place.
    """
    with transaction.atomic():
        # The row lock makes two members of staff marking it at once take turns.
        locked = AppointmentRequest.objects.select_for_update().get(pk=appointment_request.pk)
        if locked.status != Status.NEW:
            raise ValidationError(
                "Only a new request can be marked as contacted; this one is %(status)s.",
                code="not_new",
                params={"status": locked.get_status_display().lower()},
            )
        appointment_request_change_status(
            appointment_request=locked, status=Status.CONTACTED, by=by
        )
    appointment_request.status = locked.status


def appointment_request_update(
    *,
    appointment_request: AppointmentRequest,
    status: str,
    by: AbstractUser,
    assignee: AbstractUser | Unchanged | None = UNCHANGED,
    is_urgent: bool | Unchanged = UNCHANGED,
    starts_at: datetime | None = None,
    location: Location | None = None,
) -> None:
    """What staff do in the admin: change the status, and book, move or cancel the time;
    give the request to someone, and mark it urgent or not.

    A new assignee or urgency is recorded in the history, compared with the request as
    it is saved. Scheduled needs a time and a place; a new one books a new appointment
    (and sends a confirmation), the same one changes nothing. Leaving scheduled for
    anything but completed cancels the appointment, so no reminder goes out for it.
    """
    if status == Status.SCHEDULED and (starts_at is None or location is None):
        raise ValidationError(
            "A scheduled request needs the time and place of its appointment.",
            code="scheduled_without_appointment",
        )
    with transaction.atomic():
        # The row lock makes two people saving the same request at once take turns, and
        # each change is recorded from the request as it really was.
        saved = AppointmentRequest.objects.select_for_update().get(pk=appointment_request.pk)
        appointment_request.status = saved.status
        appointment_request.assignee = saved.assignee
        appointment_request.is_urgent = saved.is_urgent
        if assignee is not UNCHANGED and assignee != saved.assignee:
            appointment_request_assign(
                appointment_request=appointment_request, assignee=assignee, by=by
            )
        if is_urgent is not UNCHANGED and is_urgent != saved.is_urgent:
            appointment_request_mark_urgent(
                appointment_request=appointment_request, is_urgent=is_urgent, by=by
            )
        current = appointment_request.current_appointment()
        if status == Status.SCHEDULED:
            if current and (current.starts_at, current.location_id) == (starts_at, location.pk):
                appointment_request_change_status(
                    appointment_request=appointment_request, status=status, by=by
                )
            else:
                appointment_book(
                    appointment_request=appointment_request,
                    starts_at=starts_at,
                    location=location,
                    by=by,
                )
            return
        detail = ""
        if current and status != Status.COMPLETED:
            _end(current, Appointment.Status.CANCELLED)
            detail = f"Appointment cancelled, and the patient emailed: {current}"
            notice = Notification.objects.create(
                appointment_request=appointment_request,
                appointment=current,
                kind=Notification.Kind.CANCELLED_BY_OFFICE,
                recipients=appointment_request.email,
            )
            notification_queue_on_commit(notifications=[notice])
        appointment_request_change_status(
            appointment_request=appointment_request, status=status, by=by, detail=detail
        )


def office_note_create(
    *, appointment_request: AppointmentRequest, text: str, author: AbstractUser
) -> OfficeNote:
    """Add an internal note to the request, signed by the member of staff who wrote it."""
    with transaction.atomic():
        note = OfficeNote.objects.create(
            appointment_request=appointment_request, text=text, author=author
        )
        audit.record(
            audit.Action.REQUEST_NOTE_ADDED,
            actor=author,
            appointment_requests=[appointment_request],
            details={"note": note.pk},
        )
    return note


def appointment_validate_time(*, starts_at: datetime, location: Location) -> None:
    """Refuse a time the office cannot book at `location`: past, too far ahead, a clock
    time that does not exist that night, or a day the location is closed or not open.

    The error's code says what is wrong; those in TIME_OF_DAY_ERRORS are about the time
    of day, the others about the day.
    """
    day = timezone.localdate(starts_at)
    if starts_at <= timezone.now():
        if day < timezone.localdate():
            raise ValidationError("That day has passed.", code="day_passed")
        raise ValidationError("That time has passed.", code="time_passed")
    if day > timezone.localdate() + BOOKING_LIMIT:
        raise ValidationError(
            "Book at most %(days)s days ahead.",
            code="too_far_ahead",
            params={"days": BOOKING_LIMIT.days},
        )
    # On the night the clocks go forward, 2:30 does not exist: through UTC it reads 3:30.
    # A time given in UTC (as the database reads one back) always exists.
    through_utc = timezone.localtime(starts_at.astimezone(UTC))
    if through_utc.replace(tzinfo=None) != timezone.localtime(starts_at).replace(tzinfo=None):
        raise ValidationError(
            "That time does not exist: the clocks change that night.",
            code="time_does_not_exist",
        )
    clinic_days = ClinicDays.for_location(location)
    if closure := clinic_days.closure_on(day):
        raise ValidationError(
            "%(location)s is closed that day: %(reason)s.",
            code="closed",
            params={"location": location, "reason": closure.reason},
        )
    # A location whose hours nobody has entered yet is not held to them.
    if not clinic_days.is_open(day) and location.opening_hours.exists():
        raise ValidationError(
            "%(location)s does not see patients on %(weekday)ss; it is open %(days)s.",
            code="not_open",
            params={"location": location, "weekday": f"{day:%A}", "days": clinic_days.days_text},
        )


def appointment_book(
    *,
    appointment_request: AppointmentRequest,
    starts_at: datetime,
    location: Location,
    by: AbstractUser | None,
    surgeon: Surgeon | None = None,
    visit_type: VisitType | None = None,
) -> Appointment:
    """Agree a time with the patient; a time already agreed is moved. Queues the confirmation.

    With a surgeon, the time must be free in their diary: ValidationError (code "taken")
    if another appointment of theirs overlaps it, even one booked a moment before.
    """
    appointment_validate_time(starts_at=starts_at, location=location)
    with transaction.atomic():
        current = appointment_request.current_appointment()
        if current:
            _end(current, Appointment.Status.MOVED)
        appointment = Appointment(
            appointment_request=appointment_request,
            starts_at=starts_at,
            location=location,
            surgeon=surgeon,
            visit_type=visit_type,
            booked_by=by,
        )
        _save_if_free(appointment)
        appointment_request_change_status(
            appointment_request=appointment_request,
            status=Status.SCHEDULED,
            by=by,
            detail=f"{'Moved to' if current else 'Booked for'} {appointment}",
        )
        confirmation = Notification.objects.create(
            appointment_request=appointment_request,
            appointment=appointment,
            kind=Notification.Kind.CONFIRMATION,
            recipients=appointment_request.email,
        )
        notification_queue_on_commit(notifications=[confirmation])
    return appointment


def appointment_cancel_by_patient(*, appointment: Appointment) -> bool:
    """The patient cancels with the link in their email; the office is told. False if too late."""
    return _patient_gives_up(
        appointment,
        status=Status.CANCELLED,
        detail="The patient cancelled with the link in their email",
        notice=Notification.Kind.PATIENT_CANCELLED,
    )


def appointment_ask_for_another_time(*, appointment: Appointment) -> bool:
    """The patient cannot come and asks for another time: the request goes back to the
    office as new, so it is called back first. False if the appointment no longer stands."""
    return _patient_gives_up(
        appointment,
        status=Status.NEW,
        detail="The patient asked for another time with the link in their email",
        notice=Notification.Kind.NEW_TIME_WANTED,
    )


def _patient_gives_up(appointment, *, status, detail, notice):
    with transaction.atomic():
        # Row locks make a double click, both buttons at once, or staff saving the request
        # at the same moment take turns; the request first, as appointment_request_update
        # locks it.
        appointment_request = AppointmentRequest.objects.select_for_update().get(
            pk=appointment.appointment_request_id
        )
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        appointment.appointment_request = appointment_request
        if not appointment.patient_may_change:
            return False
        _end(appointment, Appointment.Status.CANCELLED)
        appointment_request_change_status(
            appointment_request=appointment_request,
            status=status,
            by=None,
            detail=f"{detail}: {appointment}",
        )
        office_notice = Notification.objects.create(
            appointment_request=appointment_request,
            appointment=appointment,
            kind=notice,
            recipients=", ".join(Practice.get_solo().get_office_recipients()),
        )
        # The patient's calendar file that removes the event.
        patient_notice = Notification.objects.create(
            appointment_request=appointment_request,
            appointment=appointment,
            kind=Notification.Kind.CANCELLATION_CONFIRMED,
            recipients=appointment_request.email,
        )
        notification_queue_on_commit(notifications=[office_notice, patient_notice])
    return True


TAKEN = "That time has just gone: another patient booked it a moment ago."


def _save_if_free(appointment):
    """Save a new appointment unless it overlaps another of its surgeon's. The database's
    exclusion constraint (PostgreSQL) decides between two saved at the same moment."""
    if appointment.surgeon_id is not None:
        overlapping = Appointment.objects.filter(
            surgeon=appointment.surgeon_id,
            status=Appointment.Status.BOOKED,
            starts_at__lt=appointment.starts_at + appointment.duration(),
            ends_at__gt=appointment.starts_at,
        )
        if overlapping.exists():
            raise ValidationError(TAKEN, code="taken")
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        if "no_overlapping_appointments_per_surgeon" in str(error):
            raise ValidationError(TAKEN, code="taken") from None
        raise


def _end(appointment, status):
    from .waitlist import waitlist_time_freed  # the waitlist books through this module

    appointment.status = status
    appointment.ended_at = timezone.now()
    appointment.save(update_fields=["status", "ended_at"])
    # Once the change is committed, the time is offered to the waitlist; should that
    # fail, the change stands, and Celery beat's waitlist_move_on offers it instead.
    transaction.on_commit(partial(waitlist_time_freed, appointment_id=appointment.pk), robust=True)


def appointment_queue_due_reminders(*, now: datetime | None = None) -> int:
    """Add a reminder to the outbox for each appointment whose reminder is due; returns how many.

    A reminder is due on the day before its appointment, from the reminder hour. The
    outbox's unique constraint lets each appointment have one, however often this runs.
    """
    now = now or timezone.now()
    candidates = (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            appointment_request__status=Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=2),
        )
        .exclude(notifications__kind=Notification.Kind.REMINDER)
        .select_related("appointment_request")
    )
    due = [appointment for appointment in candidates if appointment.reminder_is_due(now)]
    Notification.objects.bulk_create(
        [
            Notification(
                appointment_request=appointment.appointment_request,
                appointment=appointment,
                kind=Notification.Kind.REMINDER,
                recipients=appointment.appointment_request.email,
            )
            for appointment in due
        ],
        ignore_conflicts=True,
    )
    reminders = Notification.objects.filter(
        appointment__in=due, kind=Notification.Kind.REMINDER, status=Notification.Status.PENDING
    )
    notification_queue_on_commit(notifications=list(reminders))
    return len(due)
