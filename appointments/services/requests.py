"""A patient's request and the office's work on it: status, assignee, urgency, and the
appointment booked, moved or cancelled, by the office or with the patient's link."""

import uuid
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from practice.models import Location, Practice

from ..models import (
    Appointment,
    AppointmentRequest,
    Notification,
    StatusChange,
    staff_name,
)
from .outbox import notification_queue_on_commit

Status = AppointmentRequest.Status


def appointment_request_create(
    *, submission_key: uuid.UUID | None = None, consent_wording: str, **answers: object
) -> AppointmentRequest:
    """Save a request, its history's first step and two outbox emails; queue them on commit.

    `answers` are the request's fields as the form cleaned them. A ticked emergency
    symptom makes the request urgent. The same submission key twice (a double tap, a
    resent form) saves and emails once: the request saved the first time is returned.
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
            notifications = Notification.objects.bulk_create(
                [
                    Notification(
                        appointment_request=appointment_request,
                        kind=Notification.Kind.OFFICE,
                        recipients=", ".join(office_recipients),
                    ),
                    Notification(
                        appointment_request=appointment_request,
                        kind=Notification.Kind.ACKNOWLEDGMENT,
                        recipients=appointment_request.email,
                    ),
                ]
            )
            notification_queue_on_commit(notifications=notifications)
    except IntegrityError:
        # Both taps arrived at once, and the other one's transaction won.
        if earlier := _request_with_key(submission_key):
            return earlier
        raise
    return appointment_request


def appointment_request_received(*, submission_key: uuid.UUID | None) -> bool:
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
    appointment_request.status = status
    appointment_request.save(update_fields=["status", "updated_at"])
    return change


def appointment_request_assign(
    *,
    appointment_request: AppointmentRequest,
    assignee: AbstractUser | None,
    by: AbstractUser,
) -> None:
    """Give the request to a member of staff (or to nobody), and record it in the history."""
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


def appointment_request_update(
    *,
    appointment_request: AppointmentRequest,
    status: str,
    by: AbstractUser,
    starts_at: datetime | None = None,
    location: Location | None = None,
) -> None:
    """What staff do in the admin: change the status, and book, move or cancel the time.

    Scheduled needs a time and a place; a new one books a new appointment (and sends a
    confirmation), the same one changes nothing. Leaving scheduled for anything but
    completed cancels the appointment, so no reminder goes out for it.
    """
    with transaction.atomic():
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


def appointment_book(
    *,
    appointment_request: AppointmentRequest,
    starts_at: datetime,
    location: Location,
    by: AbstractUser,
) -> Appointment:
    """Agree a time with the patient; a time already agreed is moved. Queues the confirmation."""
    with transaction.atomic():
        current = appointment_request.current_appointment()
        if current:
            _end(current, Appointment.Status.MOVED)
        appointment = Appointment.objects.create(
            appointment_request=appointment_request,
            starts_at=starts_at,
            location=location,
            booked_by=by,
        )
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
        # at the same moment take turns; the request first, as the admin locks it.
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
        notification_queue_on_commit(notifications=[office_notice])
    return True


def _end(appointment, status):
    appointment.status = status
    appointment.ended_at = timezone.now()
    appointment.save(update_fields=["status", "ended_at"])


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
