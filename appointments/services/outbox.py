"""The email outbox: queueing each email, sending it at most once, retrying, sending again.

The outbox's rows (Notification) are saved with what they are about, in its transaction;
only their ids go on the queue, and the task reloads the row (appointments/tasks.py).
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..emails import build_email
from ..models import Notification

logger = logging.getLogger(__name__)

# Errors that a later attempt may not meet: the server was down, slow or busy.
TRANSIENT_SEND_ERRORS = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)


def notification_queue_on_commit(*, notifications: Iterable[Notification]) -> None:
    """Queue these emails once the transaction that saved them commits."""
    notification_ids = [notification.pk for notification in notifications]
    transaction.on_commit(lambda: notification_queue(notification_ids=notification_ids))


def notification_queue(*, notification_ids: list[int]) -> None:
    """Hand each email to the broker; one that cannot be queued waits for the sweep."""
    from ..tasks import send_notification  # the tasks module imports this one

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


def notification_requeue_waiting() -> int:
    """Queue again every email whose task seems lost; returns how many."""
    now = timezone.now()
    waiting = Notification.objects.waiting_too_long(now)
    notification_ids = list(waiting.values_list("pk", flat=True)[:500])
    # Push the rows' clock forward so the next sweep leaves them to this one's tasks.
    Notification.objects.filter(pk__in=notification_ids).update(next_attempt_at=now)
    notification_queue(notification_ids=notification_ids)
    return len(notification_ids)


def notification_send_again(*, notification_ids: list[int]) -> int:
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
        transaction.on_commit(lambda: notification_queue(notification_ids=failed))
    if failed:
        logger.info("Notifications %s queued to be sent again.", failed)
    return len(failed)


def notification_next_try(*, notification_id: int) -> datetime | None:
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


def notification_send(*, notification_id: int) -> Notification | None:
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


def notification_retry_delay(*, attempts: int) -> float:
    """Seconds before the next attempt: exponential back-off with full jitter."""
    return get_exponential_backoff_interval(
        factor=settings.NOTIFICATION_RETRY_BACKOFF,
        retries=attempts - 1,
        maximum=settings.NOTIFICATION_RETRY_BACKOFF_MAX,
        full_jitter=True,
    )


def _record_failure(notification, error):
    transient = isinstance(error, TRANSIENT_SEND_ERRORS) and not _is_permanent(error)
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if transient and notification.attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
        notification.status = Notification.Status.PENDING
        notification.next_attempt_at = timezone.now() + timedelta(
            seconds=notification_retry_delay(attempts=notification.attempts)
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
