"""The waitlist: booked patients who would take an earlier time, and the freed times
offered to them, one patient at a time (the rules are in services/waitlist.py)."""

import uuid

from django.db import models
from django.utils import timezone


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(left_at=None)


class WaitlistEntry(models.Model):
    """A booked patient who asked for an earlier time of the same visit type and place."""

    class Left(models.TextChoices):
        LEFT = "left", "Left the waitlist"
        ACCEPTED = "accepted", "Took an earlier time"
        APPOINTMENT_ENDED = "appointment_ended", "Appointment cancelled"

    appointment_request = models.ForeignKey(
        "appointments.AppointmentRequest",
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
    )
    visit_type = models.ForeignKey(
        "appointments.VisitType", on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    # Patients are offered times in the order they asked.
    created_at = models.DateTimeField("asked at", default=timezone.now, db_index=True)
    left_at = models.DateTimeField(null=True, blank=True)
    left_because = models.CharField(max_length=20, choices=Left, blank=True)
    # What the "leave the waitlist" link names, as links.py's appointment links do.
    link_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist"
        constraints = [
            models.UniqueConstraint(
                fields=["appointment_request"],
                condition=models.Q(left_at=None),
                name="one_waitlist_entry_per_request",
            )
        ]

    def __str__(self):
        return f"Waitlist: {self.appointment_request.reference}"

    def get_absolute_url(self):
        return self.appointment_request.get_admin_url()

    @property
    def is_waiting(self):
        return self.left_at is None


class WaitlistOffer(models.Model):
    """A freed time offered to one waitlisted patient, theirs to take until it expires."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    surgeon = models.ForeignKey("practice.Surgeon", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    visit_type = models.ForeignKey(
        "appointments.VisitType", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OFFERED)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    link_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "waitlist offer"
        constraints = [
            # A freed time is never offered to two patients at once.
            models.UniqueConstraint(
                fields=["surgeon", "starts_at"],
                condition=models.Q(status="offered"),
                name="one_open_waitlist_offer_per_time",
            )
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{local:%a %b %-d, %Y %-I:%M %p} at {self.location}"

    def get_absolute_url(self):
        return self.entry.get_absolute_url()

    def is_open(self, now=None):
        return self.status == self.Status.OFFERED and self.expires_at > (now or timezone.now())
