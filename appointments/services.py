import logging
import smtplib
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from practice.models import Practice

from .emails import build_email
from .models import AppointmentRequest, Notification

logger = logging.getLogger(__name__)

# Errors that a later attempt may not meet: the server was down, slow or busy.
TRANSIENT_SEND_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)


def appointment_request_create(
    *,
    submission_key=None,
    full_name,
    email,
    phone,
    condition,
    preferred_date,
    preferred_time,
    had_spine_surgery,
    message,
    consent_wording,
):
    """Save a request and its two outbox emails together; queue the emails on commit.

    The same submission key twice (a double tap, a resent form) saves and emails once:
    the request saved the first time is returned.
    """
    if earlier := _request_with_key(submission_key):
        return earlier
    office_recipients = Practice.get_solo().get_office_recipients()
    try:
        with transaction.atomic():
            appointment_request = AppointmentRequest.objects.create(
                submission_key=submission_key,
                full_name=full_name,
                email=email,
                phone=phone,
                condition=condition,
                preferred_date=preferred_date,
                preferred_time=preferred_time,
                had_spine_surgery=had_spine_surgery,
                message=message,
                consent_wording=consent_wording,
                consented_at=timezone.now(),
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
                        recipients=email,
                    ),
                ]
            )
            notification_ids = [notification.pk for notification in notifications]
            transaction.on_commit(lambda: notifications_queue(notification_ids=notification_ids))
    except IntegrityError:
        # Both taps arrived at once, and the other one's transaction won.
        if earlier := _request_with_key(submission_key):
            return earlier
        raise
    return appointment_request


def _request_with_key(submission_key):
    if submission_key is None:
        return None
    return AppointmentRequest.objects.filter(submission_key=submission_key).first()


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
    notification = Notification.objects.select_related("appointment_request__condition").get(
        pk=notification_id
    )
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
