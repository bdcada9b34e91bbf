import logging
import smtplib
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from practice.models import Practice

from .emails import build_email
from .models import (
    Appointment,
    AppointmentRequest,
    Notification,
    OfficeNote,
    StatusChange,
    staff_name,
)

logger = logging.getLogger(__name__)

# Errors that a later attempt may not meet: the server was down, slow or busy.
TRANSIENT_SEND_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)


def appointment_request_create(*, submission_key=None, consent_wording, **answers):
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
            _queue_on_commit(notifications)
    except IntegrityError:
        # Both taps arrived at once, and the other one's transaction won.
        if earlier := _request_with_key(submission_key):
            return earlier
        raise
    return appointment_request


def appointment_request_received(*, submission_key):
    """Whether a request with this submission key is saved already (a second tap on Send)."""
    return _request_with_key(submission_key) is not None


def _request_with_key(submission_key):
    if submission_key is None:
        return None
    return AppointmentRequest.objects.filter(submission_key=submission_key).first()


def request_status_change(*, appointment_request, status, by, detail=""):
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


def request_assign(*, appointment_request, assignee, by):
    """Give the request to a member of staff (or to nobody), and record it in the history."""
    appointment_request.assignee = assignee
    appointment_request.save(update_fields=["assignee", "updated_at"])
    detail = f"Assigned to {staff_name(assignee)}" if assignee else "No longer assigned"
    request_status_change(
        appointment_request=appointment_request,
        status=appointment_request.status,
        by=by,
        detail=detail,
    )


def request_mark_urgent(*, appointment_request, is_urgent, by):
    """Mark the request urgent, or no longer urgent, and record it in the history."""
    appointment_request.is_urgent = is_urgent
    appointment_request.save(update_fields=["is_urgent", "updated_at"])
    request_status_change(
        appointment_request=appointment_request,
        status=appointment_request.status,
        by=by,
        detail="Marked urgent" if is_urgent else "No longer marked urgent",
    )


def appointment_request_update(*, appointment_request, status, by, starts_at=None, location=None):
    """What staff do in the admin: change the status, and book, move or cancel the time.

    Scheduled needs a time and a place; a new one books a new appointment (and sends a
    confirmation), the same one changes nothing. Leaving scheduled for anything but
    completed cancels the appointment, so no reminder goes out for it.
    """
    with transaction.atomic():
        current = appointment_request.current_appointment()
        if status == AppointmentRequest.Status.SCHEDULED:
            if current and (current.starts_at, current.location_id) == (starts_at, location.pk):
                request_status_change(appointment_request=appointment_request, status=status, by=by)
            else:
                appointment_book(
                    appointment_request=appointment_request,
                    starts_at=starts_at,
                    location=location,
                    by=by,
                )
            return
        detail = ""
        if current and status != AppointmentRequest.Status.COMPLETED:
            _end(current, Appointment.Status.CANCELLED)
            detail = f"Appointment cancelled, and the patient emailed: {current}"
            notice = Notification.objects.create(
                appointment_request=appointment_request,
                appointment=current,
                kind=Notification.Kind.CANCELLED_BY_OFFICE,
                recipients=appointment_request.email,
            )
            _queue_on_commit([notice])
        request_status_change(
            appointment_request=appointment_request, status=status, by=by, detail=detail
        )


def appointment_book(*, appointment_request, starts_at, location, by):
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
        request_status_change(
            appointment_request=appointment_request,
            status=AppointmentRequest.Status.SCHEDULED,
            by=by,
            detail=f"{'Moved to' if current else 'Booked for'} {appointment}",
        )
        confirmation = Notification.objects.create(
            appointment_request=appointment_request,
            appointment=appointment,
            kind=Notification.Kind.CONFIRMATION,
            recipients=appointment_request.email,
        )
        _queue_on_commit([confirmation])
    return appointment


def appointment_cancel_by_patient(*, appointment):
    """The patient cancels with the link in their email; the office is told. False if too late."""
    return _patient_gives_up(
        appointment,
        status=AppointmentRequest.Status.CANCELLED,
        detail="The patient cancelled with the link in their email",
        notice=Notification.Kind.PATIENT_CANCELLED,
    )


def appointment_new_time_wanted(*, appointment):
    """The patient cannot come and asks for another time: the request goes back to the
    office as new, so it is called back first. False if the appointment no longer stands."""
    return _patient_gives_up(
        appointment,
        status=AppointmentRequest.Status.NEW,
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
        request_status_change(
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
        _queue_on_commit([office_notice])
    return True


def _end(appointment, status):
    appointment.status = status
    appointment.ended_at = timezone.now()
    appointment.save(update_fields=["status", "ended_at"])


def reminders_queue_due(now=None):
    """Add a reminder to the outbox for each appointment whose reminder is due; returns how many.

    A reminder is due on the day before its appointment, from the reminder hour. The
    outbox's unique constraint lets each appointment have one, however often this runs.
    """
    now = now or timezone.now()
    candidates = (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            appointment_request__status=AppointmentRequest.Status.SCHEDULED,
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
    _queue_on_commit(list(reminders))
    return len(due)


def _queue_on_commit(notifications):
    notification_ids = [notification.pk for notification in notifications]
    transaction.on_commit(lambda: notifications_queue(notification_ids=notification_ids))


def notifications_queue(*, notification_ids):
    """Hand each email to the broker; one that cannot be queued waits for the sweep."""
    from .tasks import send_notification  # the tasks module imports this one

    for position, notification_id in enumerate(notification_ids):
        try:
            send_notification.delay(notification_id)
        except Exception:
            # The request is saved whatever happens here: a broker outage (or any other
            # failure to queue) must never reach the patient. The rows stay pending, and
            # the rest are not tried, so the patient does not wait on each in turn.
            logger.warning(
                "Notifications %s could not be queued; the sweep will queue them again.",
                notification_ids[position:],
                exc_info=True,
            )
            return


def notifications_requeue_waiting():
    """Queue again every email whose task seems lost; returns how many."""
    now = timezone.now()
    waiting = Notification.objects.waiting_too_long(now)
    notification_ids = list(waiting.values_list("pk", flat=True)[:500])
    # Push the rows' clock forward so the next sweep leaves them to this one's tasks.
    Notification.objects.filter(pk__in=notification_ids).update(next_attempt_at=now)
    notifications_queue(notification_ids=notification_ids)
    return len(notification_ids)


def notifications_send_again(*, notification_ids):
    """Give failed emails a fresh set of attempts and queue them; returns how many.

    Rows that are not failed (sent meanwhile, or sent again by someone else a moment
    ago) are left alone, and so are those whose addresses were anonymised away.
    """
    with transaction.atomic():
        # The row locks make two members of staff clicking at once take turns: the second
        # finds the rows pending already, and queues nothing.
        failed = list(
            Notification.objects.select_for_update()
            .filter(pk__in=notification_ids, status=Notification.Status.FAILED)
            .exclude(recipients="")
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=failed).update(
            status=Notification.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
        )
        transaction.on_commit(lambda: notifications_queue(notification_ids=failed))
    if failed:
        logger.info("Notifications %s queued to be sent again.", failed)
    return len(failed)


def notification_next_try(*, notification_id):
    """When a worker may next take this email: when the worker holding it (sending it
    now, or lost) lets it go, or when its back-off is over; None once sent or failed."""
    row = (
        Notification.objects.filter(pk=notification_id)
        .values("status", "claimed_at", "next_attempt_at")
        .first()
    )
    if row is None:
        return None
    if row["status"] == Notification.Status.SENDING:
        return row["claimed_at"] + timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    if row["status"] == Notification.Status.PENDING:
        return row["next_attempt_at"]
    return None


def notification_send(*, notification_id):
    """Send one outbox email at most once; record the outcome on its row.

    Returns the row, or None when there was nothing to do (already sent, failed, or
    held by another worker). A row left pending after a failure is due another attempt.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.claimable(now)
        .filter(pk=notification_id)
        .update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    notification = Notification.objects.select_related(
        "appointment_request__condition",
        "appointment_request__preferred_location",
        "appointment__location",
    ).get(pk=notification_id)
    if not notification.still_applies:
        notification.status = Notification.Status.WITHDRAWN
        notification.save(update_fields=["status"])
        logger.info("Notification %s withdrawn: its appointment no longer stands.", notification.pk)
        return notification
    try:
        build_email(notification).send()
    except Exception as error:
        _record_failure(notification, error)
        return notification
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error"])
    logger.info("Notification %s sent.", notification.pk)
    return notification


def _record_failure(notification, error):
    transient = isinstance(error, TRANSIENT_SEND_ERRORS) and not _is_permanent(error)
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if transient and notification.attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
        notification.status = Notification.Status.PENDING
        notification.next_attempt_at = timezone.now() + timedelta(
            seconds=retry_delay(notification.attempts)
        )
    else:
        notification.status = Notification.Status.FAILED
    notification.save(update_fields=["status", "last_error", "next_attempt_at"])
    # The error's text may name an address: it stays on the row, out of the logs. An
    # error that is not the mail server's is a bug, and its traceback is logged.
    logger.warning(
        "Notification %s attempt %s failed with %s; now %s.",
        notification.pk,
        notification.attempts,
        type(error).__name__,
        notification.status,
        exc_info=None if isinstance(error, TRANSIENT_SEND_ERRORS) else error,
    )


def _is_permanent(error):
    """A 5xx answer or refused recipients: sending the same email again will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def retry_delay(attempts):
    """Seconds before the next attempt: exponential back-off with full jitter."""
    return get_exponential_backoff_interval(
        factor=settings.NOTIFICATION_RETRY_BACKOFF,
        retries=attempts - 1,
        maximum=settings.NOTIFICATION_RETRY_BACKOFF_MAX,
        full_jitter=True,
    )


def _forget_in_admin_history(request_ids):
    """The admin's own log names each request it changed ("reference + name"): keep only
    the reference there, and drop the messages, which may name what was changed."""
    content_type = ContentType.objects.get_for_model(AppointmentRequest)
    references = AppointmentRequest.objects.filter(pk__in=request_ids).values_list(
        "pk", "reference"
    )
    for pk, reference in references:
        LogEntry.objects.filter(content_type=content_type, object_id=str(pk)).update(
            object_repr=reference, change_message=""
        )


# What anonymising leaves of a request: its reference, dates, status, condition and
# history, for the office's figures; nothing that says who the patient was or what ails them.
ANONYMISED = {
    "full_name": "(removed)",
    "email": "",
    "phone": "",
    "voicemail_ok": None,
    "surgery_year": None,
    "surgery_level": "",
    "surgery_place": "",
    "imaging": [],
    "imaging_age": "",
    "referring_doctor": "",
    "red_flags": [],
    "message": "",
    "submission_key": None,
}


def requests_anonymise_past_retention(now=None, batch_size=500):
    """Remove the patient's details from every request past the retention period.

    Their internal notes go too, and the addresses on their emails. Returns how many.
    """
    now = now or timezone.now()
    done = 0
    while ids := list(
        AppointmentRequest.objects.past_retention(now).values_list("pk", flat=True)[:batch_size]
    ):
        with transaction.atomic():
            AppointmentRequest.objects.filter(pk__in=ids).update(
                **ANONYMISED, anonymised_at=now, updated_at=now
            )
            _forget_in_admin_history(ids)
            OfficeNote.objects.filter(appointment_request__in=ids).delete()
            Notification.objects.filter(appointment_request__in=ids).update(
                recipients="", last_error=""
            )
        done += len(ids)
    if done:
        logger.info("Anonymised %s appointment requests past the retention period.", done)
    return done
