import re
import uuid
from datetime import datetime, time, timedelta
from email.utils import parseaddr

import phonenumbers
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from phonenumber_field.modelfields import PhoneNumberField

from practice import field_encryption as encrypted
from practice.models import Location
from practice.validators import parse_email_list, validate_single_line

from .scheduling import ClinicSession, VisitType  # noqa: F401 (the app's models)
from .surgeon_feeds import CalendarFeed  # noqa: F401 (the app's models)
from .waitlist import WaitlistEntry, WaitlistOffer  # noqa: F401 (the app's models)

# No 0/O or 1/I: a patient reads the reference out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def mail_domain():
    """The domain the practice's emails come from: for Message-IDs and calendar UIDs."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def staff_name(user):
    return user.get_full_name() or user.get_username()


def generate_reference():
    code = get_random_string(8, allowed_chars=REFERENCE_ALPHABET)
    return f"{code[:4]}-{code[4:]}"


class AppointmentRequestQuerySet(models.QuerySet):
    def for_office(self):
        """With what the office's list shows and sorts by: `priority` (0 for urgent requests
        nobody has booked yet, 1 for other new ones, 2 for the rest) and the booked
        appointment's `appointment_starts_at` and `appointment_location_name`."""
        booked = Appointment.objects.filter(
            appointment_request=models.OuterRef("pk"), status=Appointment.Status.BOOKED
        )
        Status = AppointmentRequest.Status
        return self.annotate(
            # An urgent request that is scheduled or closed is dealt with.
            priority=models.Case(
                models.When(is_urgent=True, status__in=[Status.NEW, Status.CONTACTED], then=0),
                models.When(status=Status.NEW, then=1),
                default=models.Value(2),
            ),
            appointment_starts_at=models.Subquery(booked.values("starts_at")[:1]),
            appointment_location_name=models.Subquery(booked.values("location__name")[:1]),
        )

    def with_phone_like(self, search_term):
        """The requests whose phone number is the one in `search_term`, typed the way the
        patient said it: "(201) 555-0199", "201 555 0199", "+1 201 555 0199"; none when
        it does not read as a phone number (a name, a reference)."""
        if not re.fullmatch(r"[\d\s()+\-.]+", search_term) or not re.search(r"\d", search_term):
            return self.none()
        digits = re.sub(r"\D", "", search_term)
        matches = models.Q(phone__contains=digits) if len(digits) >= 4 else models.Q(pk__in=[])
        try:
            number = phonenumbers.parse(search_term, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            return self.filter(matches)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return self.filter(matches | models.Q(phone=e164))

    def past_retention(self, now):
        """Requests nobody has worked on for the retention period, not yet anonymised."""
        cutoff = now - timedelta(days=settings.APPOINTMENT_RETENTION_DAYS)
        return self.filter(anonymised_at=None, updated_at__lt=cutoff).exclude(
            appointments__status="booked", appointments__starts_at__gte=cutoff
        )


class AppointmentRequest(models.Model):
    """What a patient asked for on the form.

    It has no public page (so no get_absolute_url): only staff see it, in the admin.
    """

    class TimeOfDay(models.TextChoices):
        MORNING = "morning", "Morning"
        AFTERNOON = "afternoon", "Afternoon"
        ANY = "any", "No preference"

    class PatientType(models.TextChoices):
        NEW = "new", "New patient"
        RETURNING = "returning", "Returning patient"

    class VisitKind(models.TextChoices):
        FIRST_OPINION = "first_opinion", "A first opinion"
        SECOND_OPINION = "second_opinion", "A second opinion"
        EARLIER_OPERATION = "earlier_operation", "A question about an earlier operation"
        # Only from a visit booked online: the visit type says it (appointments/booking.py).
        FOLLOW_UP = "follow_up", "A follow-up visit"

    class SpineLevel(models.TextChoices):
        NECK = "cervical", "Neck (cervical)"
        MID_BACK = "thoracic", "Middle of the back (thoracic)"
        LOWER_BACK = "lumbar", "Lower back (lumbar)"
        SEVERAL = "several", "More than one part"
        NOT_SURE = "not_sure", "Not sure"

    class Imaging(models.TextChoices):
        MRI = "mri", "MRI"
        CT = "ct", "CT"
        X_RAY = "x_ray", "X-ray"

    class ImagingAge(models.TextChoices):
        RECENT = "under_6_months", "In the last 6 months"
        THIS_YEAR = "6_to_12_months", "6 to 12 months ago"
        OLDER = "over_a_year", "More than a year ago"
        NOT_SURE = "not_sure", "Not sure"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"

    class RedFlag(models.TextChoices):
        BLADDER_BOWEL = "bladder_bowel", "Sudden loss of bladder or bowel control"
        SADDLE_NUMBNESS = "saddle_numbness", "Numbness between the legs or around the bottom"
        LEG_WEAKNESS = "leg_weakness", "Leg weakness that is getting worse quickly"

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

    # Contact details and preferences: what the office needs to call back.
    full_name = models.CharField(max_length=150, validators=[validate_single_line])
    email = models.EmailField()
    phone = PhoneNumberField()
    patient_type = models.CharField(
        "new or returning", max_length=10, choices=PatientType, default=PatientType.NEW
    )
    contact_method = models.CharField(
        "preferred contact method",
        max_length=10,
        choices=ContactMethod,
        default=ContactMethod.PHONE,
    )
    voicemail_ok = models.BooleanField("a voicemail may be left", null=True, blank=True)
    condition = models.ForeignKey(
        "conditions.Condition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment_requests",
        verbose_name="condition of interest",
        help_text="Empty when the patient chose “something else”.",
    )
    visit_kind = models.CharField(
        "kind of visit", max_length=20, choices=VisitKind, default=VisitKind.FIRST_OPINION
    )
    preferred_location = models.ForeignKey(
        "practice.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the patient had no preference.",
    )
    preferred_date = models.DateField()
    preferred_time = models.CharField(
        "preferred time of day", max_length=10, choices=TimeOfDay, default=TimeOfDay.ANY
    )
    # From the booking step of the form (appointments/booking.py): the visit the patient
    # chose, and for a visit the office arranges, up to three open times they would like
    # ({"start": ISO 8601, "location": id, "surgeon": id}), which staff book with a click.
    visit_type = models.ForeignKey(
        VisitType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="visit asked for",
        help_text="The kind of visit the patient chose on the form, if any.",
    )
    preferred_times = models.JSONField(
        "open times the patient would like", default=list, blank=True
    )

    # Clinical answers: kept behind the staff login, out of emails unless a setting says so,
    # and encrypted in the database; the office sorts and counts by `is_urgent` instead.
    # Empty only once the request is anonymised: the form always asks.
    had_spine_surgery = encrypted.EncryptedBooleanField("has had spine surgery before", null=True)
    surgery_year = encrypted.EncryptedPositiveSmallIntegerField(
        "year of the last operation", null=True, blank=True
    )
    surgery_level = encrypted.EncryptedCharField(
        "part of the spine operated on", max_length=10, choices=SpineLevel, blank=True
    )
    surgery_place = encrypted.EncryptedCharField(
        "where it was done", max_length=200, blank=True, validators=[validate_single_line]
    )
    imaging = encrypted.EncryptedJSONField("scans the patient has", default=list, blank=True)
    imaging_age = encrypted.EncryptedCharField(
        "when the latest scan was taken", max_length=20, choices=ImagingAge, blank=True
    )
    referring_doctor = encrypted.EncryptedCharField(
        max_length=200, blank=True, validators=[validate_single_line]
    )
    red_flags = encrypted.EncryptedJSONField("emergency symptoms ticked", default=list, blank=True)
    message = encrypted.EncryptedTextField(blank=True, max_length=2000)
    consent_wording = models.TextField(help_text="The words next to the box the patient ticked.")
    consented_at = models.DateTimeField()

    # The office's work on the request.
    is_urgent = models.BooleanField(
        "urgent",
        default=False,
        db_index=True,
        help_text="Set when the patient ticks an emergency symptom; staff may set it too.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_appointment_requests",
        limit_choices_to={"is_staff": True, "is_active": True},
        verbose_name="assigned to",
    )
    created_at = models.DateTimeField("received", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the patient's details were removed, at the end of the retention period.",
    )

    objects = AppointmentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "appointment request"

    def __str__(self):
        # The reference alone: the admin copies this into its messages, which travel in a
        # readable cookie, and into its history, which outlives the patient's details.
        return self.reference

    def get_admin_url(self):
        return reverse("admin:appointments_appointmentrequest_change", args=[self.pk])

    @property
    def condition_label(self):
        return self.condition.title if self.condition else "Something else or not sure"

    @property
    def visit_label(self):
        """The visit asked for: the visit type chosen on the form, or the kind of visit."""
        return self.visit_type.name if self.visit_type else self.get_visit_kind_display()

    @property
    def preferred_time_labels(self):
        """The open times the patient ticked, as the office reads them: "Monday, February 1,
        9:20 AM, Downtown clinic"."""
        ticked = self.preferred_times
        places = Location.objects.in_bulk({one["location"] for one in ticked})
        labels = []
        for one in ticked:
            start = timezone.localtime(datetime.fromisoformat(one["start"]))
            place = places.get(one["location"])
            labels.append(
                f"{start:%A, %B} {start.day}, {start:%-I:%M %p}, {place.name if place else '?'}"
            )
        return labels

    @property
    def preferred_location_label(self):
        return self.preferred_location.name if self.preferred_location else "No preference"

    @property
    def imaging_labels(self):
        return [self.Imaging(kind).label for kind in self.imaging if kind in self.Imaging]

    @property
    def red_flag_labels(self):
        return [self.RedFlag(flag).label for flag in self.red_flags if flag in self.RedFlag]

    def current_appointment(self):
        """The booked appointment, if the office has agreed a time that still stands."""
        return self.appointments.filter(status=Appointment.Status.BOOKED).first()


class StatusChange(models.Model):
    """One step in a request's history: who moved it from which status to which, and when."""

    appointment_request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=AppointmentRequest.Status, blank=True)
    to_status = models.CharField(max_length=10, choices=AppointmentRequest.Status)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the patient made the change.",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = "status change"

    def __str__(self):
        return f"{self.get_from_status_display() or 'Received'} → {self.get_to_status_display()}"

    def get_absolute_url(self):
        return self.appointment_request.get_admin_url()

    @property
    def changed_by_label(self):
        return "The patient" if self.changed_by is None else staff_name(self.changed_by)


class OfficeNote(models.Model):
    """An internal note on a request; never shown to the patient or emailed."""

    appointment_request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="notes"
    )
    text = encrypted.EncryptedTextField("note", max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("written", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "office note"

    def __str__(self):
        # Kept out of the text: the admin copies this into its history of changes.
        return f"Office note {self.pk}"

    def get_absolute_url(self):
        return self.appointment_request.get_admin_url()


class Appointment(models.Model):
    """A time the office agreed with the patient. A new time is a new row; the old one is moved."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        MOVED = "moved", "Moved to another time"
        CANCELLED = "cancelled", "Cancelled"

    appointment_request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    # Set from the visit type's length (or APPOINTMENT_DURATION_MINUTES) when left empty.
    ends_at = models.DateTimeField()
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    # Two booked appointments of one surgeon never overlap: a PostgreSQL exclusion
    # constraint (migration 0009) holds it, and the booking service checks it first.
    surgeon = models.ForeignKey(
        "practice.Surgeon", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit_type = models.ForeignKey(
        VisitType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField("moved or cancelled at", null=True, blank=True)
    # What the patient's manage link names: random, so a link tells nobody how many
    # appointments the practice has booked, as the sequential id would.
    link_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment_request"],
                condition=models.Q(status="booked"),
                name="one_booked_appointment_per_request",
            )
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{local:%a %b %-d, %Y %-I:%M %p} at {self.location}"

    def save(self, *args, **kwargs):
        if self.ends_at is None and self.starts_at is not None:
            self.ends_at = self.starts_at + self.duration()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.appointment_request.get_admin_url()

    def duration(self):
        if self.visit_type is not None:
            return timedelta(minutes=self.visit_type.duration_minutes)
        return timedelta(minutes=settings.APPOINTMENT_DURATION_MINUTES)

    @property
    def is_booked(self):
        return self.status == self.Status.BOOKED

    @property
    def patient_may_change(self):
        """The patient's link may still cancel or move it: booked, scheduled, not yet begun."""
        return (
            self.is_booked
            and self.appointment_request.status == AppointmentRequest.Status.SCHEDULED
            and self.starts_at > timezone.now()
        )

    @property
    def patient_may_move(self):
        """The patient's link may move it to another open time: booked online or within the
        surgeon's sessions (so with a visit type), and not yet inside the change deadline."""
        deadline = timedelta(hours=settings.BOOKING_CHANGE_DEADLINE_HOURS)
        return (
            self.patient_may_change
            and self.visit_type_id is not None
            and self.surgeon_id is not None
            and self.starts_at - timezone.now() > deadline
        )

    @property
    def calendar_sequence(self):
        """The version of the request's one calendar event that this appointment's
        confirmation carries (its cancellation carries the next), so that a calendar moves
        or removes the event instead of adding another."""
        # Two appointments saved in one instant (a move, with the clock standing still)
        # are told apart by their ids.
        earlier = self.appointment_request.appointments.filter(
            models.Q(created_at__lt=self.created_at)
            | models.Q(created_at=self.created_at, pk__lt=self.pk)
        )
        return 2 * earlier.count()

    def reminder_window(self):
        """From the reminder hour on the day before, to midnight before the day (practice time)."""
        appointment_day = timezone.localtime(self.starts_at).date()
        day_before = appointment_day - timedelta(days=1)
        return (
            timezone.make_aware(
                datetime.combine(day_before, time(settings.APPOINTMENT_REMINDER_HOUR))
            ),
            timezone.make_aware(datetime.combine(appointment_day, time.min)),
        )

    def reminder_is_due(self, now):
        due_from, too_late = self.reminder_window()
        return due_from <= now < too_late


class NotificationQuerySet(models.QuerySet):
    def claimable(self, now):
        """Rows a worker may take: waiting and due, or held by a worker that has vanished."""
        lost_before = now - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
        return self.filter(
            models.Q(status=Notification.Status.PENDING, next_attempt_at__lte=now)
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
        CONFIRMATION = "appointment_confirmation", "Appointment confirmation"
        REMINDER = "appointment_reminder", "Appointment reminder"
        PATIENT_CANCELLED = "patient_cancelled", "Office told: patient cancelled"
        NEW_TIME_WANTED = "new_time_wanted", "Office told: patient wants another time"
        CANCELLED_BY_OFFICE = "appointment_cancelled", "Patient told: appointment cancelled"
        PATIENT_MOVED = "patient_moved", "Office told: patient moved their appointment"
        CANCELLATION_CONFIRMED = "cancellation_confirmed", "Patient told: their cancellation"
        WAITLIST_OFFER = "waitlist_offer", "Patient offered an earlier time"

    # Emails that only make sense while their appointment still stands.
    WHILE_BOOKED_KINDS = [Kind.CONFIRMATION, Kind.REMINDER]
    OFFICE_KINDS = [
        Kind.OFFICE,
        Kind.PATIENT_CANCELLED,
        Kind.NEW_TIME_WANTED,
        Kind.PATIENT_MOVED,
    ]

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        WITHDRAWN = "withdrawn", "Not sent: no longer applies"

    appointment_request = models.ForeignKey(
        AppointmentRequest, on_delete=models.CASCADE, related_name="notifications"
    )
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    waitlist_offer = models.ForeignKey(
        WaitlistOffer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
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
                fields=["appointment_request", "kind"],
                condition=models.Q(appointment=None, waitlist_offer=None),
                name="one_notification_of_each_kind",
            ),
            models.UniqueConstraint(
                fields=["waitlist_offer", "kind"],
                condition=models.Q(waitlist_offer__isnull=False),
                name="one_notification_of_each_kind_per_waitlist_offer",
            ),
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=models.Q(appointment__isnull=False),
                name="one_notification_of_each_kind_per_appointment",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.appointment_request.reference}"

    def get_admin_url(self):
        return reverse("admin:appointments_notification_change", args=[self.pk])

    @property
    def is_for_office(self):
        return self.kind in self.OFFICE_KINDS

    @property
    def still_applies(self):
        """False for a confirmation or reminder whose appointment was moved or cancelled,
        and for a reminder that could only arrive on the day itself or later; and for an
        offer of an earlier time that has been taken, withdrawn or has expired."""
        if self.kind == self.Kind.WAITLIST_OFFER:
            return self.waitlist_offer.is_open()
        if self.kind not in self.WHILE_BOOKED_KINDS:
            return True
        if self.kind == self.Kind.REMINDER:
            return self.appointment.is_booked and self.appointment.reminder_is_due(timezone.now())
        return self.appointment.is_booked

    @property
    def recipient_list(self):
        return parse_email_list(self.recipients)

    @property
    def message_id(self):
        """The same Message-ID on every attempt, so mail systems can spot a repeat."""
        return f"<notification-{self.pk}.{self.created_at:%Y%m%d%H%M%S}@{mail_domain()}>"
