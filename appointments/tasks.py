from celery import shared_task
from django.utils import timezone

from . import services
from .models import Notification


@shared_task(bind=True, name="appointments.send_notification", max_retries=None)
def send_notification(self, notification_id):
    """Send one outbox email; schedule another attempt while the mail server fails."""
    notification = services.notification_send(notification_id=notification_id)
    # Run in process (no broker), a retry would keep the patient's request waiting; the
    # row stays pending in the outbox instead.
    if self.request.is_eager:
        return
    if notification is not None and notification.status == Notification.Status.PENDING:
        countdown = max(0, (notification.next_attempt_at - timezone.now()).total_seconds())
        raise self.retry(countdown=countdown)
    if notification is None:
        # Not to be sent now. Another worker may hold the row: sending it, or dead with it
        # (then the broker has handed its task to this worker); or a copy of this task
        # came before the row's back-off was over. Look again then.
        next_try = services.notification_next_try(notification_id=notification_id)
        if next_try is not None:
            countdown = max(0, (next_try - timezone.now()).total_seconds()) + 1
            raise self.retry(countdown=countdown)


@shared_task(name="appointments.requeue_waiting_notifications")
def requeue_waiting_notifications():
    """Queue again the emails whose task was lost, e.g. while the broker was down."""
    return services.notification_requeue_waiting()


@shared_task(name="appointments.queue_due_reminders")
def queue_due_reminders():
    """Put the day-before reminders that are due into the outbox, once per appointment."""
    return services.appointment_queue_due_reminders()


@shared_task(name="appointments.anonymise_old_requests")
def anonymise_old_requests():
    """Remove patients' details from the requests past the retention period."""
    return services.appointment_request_anonymise_past_retention()


@shared_task(name="appointments.waitlist_move_on")
def waitlist_move_on():
    """Expire the waitlist offers nobody took, and offer their times to the next patient."""
    return services.waitlist_move_on()
