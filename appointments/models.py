from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from practice.validators import parse_email_list, validate_single_line

# No 0/O or 1/I: a patient reads the reference out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_reference():
    code = get_random_string(8, allowed_chars=REFERENCE_ALPHABET)
    return f"{code[:4]}-{code[4:]}"


class AppointmentRequest(models.Model):
    """What a patient asked for on the form.

    It has no public page (so no get_absolute_url): only staff see it, in the admin.
    """

    class TimeOfDay(models.TextChoices):
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"
        ANY = "any", "No preference"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(
        max_length=9, unique=True, default=generate_reference, editable=False
    )
    # Sent with the form, so that a second tap on "Send" finds the first request.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    full_name = models.CharField(max_length=150, validators=[validate_single_line])
    email = models.EmailField()
    phone = models.CharField(max_length=32)
    condition = models.ForeignKey(
        "conditions.Condition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment_requests",
        verbose_name="condition of interest",
        help_text="Empty when the patient chose “something else”.",
    )
    preferred_date = models.DateField()
    preferred_time = models.CharField(
        "preferred time of day", max_length=10, choices=TimeOfDay, default=TimeOfDay.ANY
    )
    had_spine_surgery = models.BooleanField("has had spine surgery before")
    message = models.TextField(blank=True, max_length=2000)
    consent_wording = models.TextField(help_text="The words next to the box the patient ticked.")
    consented_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW, db_index=True)
    created_at = models.DateTimeField("received", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "appointment request"

    def __str__(self):
        return f"{self.reference} {self.full_name}"

    def get_admin_url(self):
        return reverse("admin:appointments_appointmentrequest_change", args=[self.pk])

    @property
    def condition_label(self):
        return self.condition.title if self.condition else "Something else or not sure"


class NotificationQuerySet(models.QuerySet):
    def claimable(self, now):
        """Rows a worker may take: waiting, or held by a worker that has vanished."""
        lost_before = now - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
        return self.filter(
            models.Q(status=Notification.Status.PENDING)
            | models.Q(status=Notification.Status.SENDING, claimed_at__lt=lost_before)
        )

    def waiting_too_long(self, now):
        """Rows whose task seems lost (broker down, worker killed): queue them again."""
        overdue = now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER)
        return self.claimable(now).filter(next_attempt_at__lt=overdue)


class Notification(models.Model):
    """One email in the outbox: saved with its request, sent by a Celery worker."""

    class Kind(models.TextChoices):
        OFFICE = "office_notification", "Office notification"
        ACKNOWLEDGMENT = "patient_acknowledgment", "Patient acknowledgment"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    appointment_request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    recipients = models.TextField(help_text="Addresses the email goes to, comma-separated.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "kind"]
        verbose_name = "email notification"
        constraints = [
            models.UniqueConstraint(
                fields=["appointment_request", "kind"], name="one_notification_of_each_kind"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.appointment_request.reference}"

    def get_admin_url(self):
        return reverse("admin:appointments_notification_change", args=[self.pk])

    @property
    def recipient_list(self):
        return parse_email_list(self.recipients)

    @property
    def message_id(self):
        """The same Message-ID on every attempt, so mail systems can spot a repeat."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        return f"<notification-{self.pk}.{self.created_at:%Y%m%d%H%M%S}@{domain}>"
