import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from solo.models import SingletonModel

# The audit log's models live with its rules; imported here so that Django finds them.
from .audit import AuditChain, AuditEntry  # noqa: F401
from .richtext import RichTextField, plain_text, sanitize_rich_text
from .validators import parse_email_list, validate_email_list


class Practice(SingletonModel):
    """The practice's details, kept by staff; there is exactly one row."""

    name = models.CharField(max_length=120, default="Our practice")
    tagline = models.CharField(
        max_length=200, blank=True, help_text="One line under the name on the home page."
    )
    phone = models.CharField(max_length=40, blank=True, help_text="Shown on every page.")
    email = models.EmailField(
        "public email",
        blank=True,
        help_text="Shown to patients, and where replies to their acknowledgment go.",
    )
    office_recipients = models.TextField(
        "office email recipients",
        blank=True,
        validators=[validate_email_list],
        help_text=(
            "Who receives each appointment request; separate several addresses with "
            "commas. Leave empty to use the server's default (OFFICE_EMAIL)."
        ),
    )
    medical_disclaimer = models.TextField(blank=True, help_text="Shown at the foot of every page.")
    updated_at = models.DateTimeField("last edited", auto_now=True)

    class Meta:
        verbose_name = "practice details"
        # Whoever sets the recipients receives the patients' requests: the office may
        # change them (practice/groups.py), content editors may not.
        permissions = [
            ("change_office_recipients", "Can change who receives appointment requests"),
            # Patients' emails carry the email (their replies go to it) and the phone
            # numbers, the practice's and each location's: the office's managers alone
            # choose them, not whoever edits the pages.
            ("change_contact_details", "Can change the email and phones patients' emails carry"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practice:home")

    @property
    def phone_href(self):
        return phone_href(self.phone)

    def get_office_recipients(self):
        return parse_email_list(self.office_recipients) or list(settings.OFFICE_EMAIL)


def phone_href(phone):
    return "tel:" + re.sub(r"[^\d+]", "", phone)


def split_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Surgeon(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=140, unique=True, help_text="The last part of the profile's address."
    )
    role = models.CharField(
        "title", max_length=120, blank=True, help_text="e.g. “Orthopaedic spine surgeon”."
    )
    credentials = models.CharField(
        max_length=200, blank=True, help_text="Degrees and board certifications, e.g. “MD, FACS”."
    )
    specialties = models.TextField(blank=True, help_text="One per line.")
    affiliations = models.TextField(
        blank=True, help_text="Hospitals, universities and societies, one per line."
    )
    photo = models.ImageField(
        upload_to="surgeons/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text="A portrait, JPEG or PNG, at least 600 pixels wide.",
    )
    photo_width = models.PositiveIntegerField(null=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, editable=False)
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for patients who cannot see it, "
        "e.g. “Dr Example smiling in a clinic room”.",
    )
    biography = RichTextField(blank=True)
    biography_text = models.TextField(
        "biography as plain text", blank=True, editable=False, help_text="For search engines."
    )
    is_default = models.BooleanField(
        "default surgeon",
        default=False,
        help_text="Shown on the home page and as the reviewer of new pages.",
    )
    is_published = models.BooleanField("published", default=True)
    updated_at = models.DateTimeField("last edited", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_surgeon",
                violation_error_message="Another surgeon is already the default.",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        sanitize_rich_text(self)
        self.biography_text = plain_text(self.biography)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("practice:surgeon", kwargs={"slug": self.slug})

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {"photo_alt": "Describe the photo for patients who cannot see it."}
            )

    @property
    def specialty_list(self):
        return split_lines(self.specialties)

    @property
    def affiliation_list(self):
        return split_lines(self.affiliations)


class Location(models.Model):
    """A place where patients are seen, with its own address, phone and opening hours."""

    name = models.CharField(max_length=120, help_text="e.g. “Downtown clinic”.")
    street_address = models.CharField(max_length=200)
    locality = models.CharField("town or city", max_length=100)
    region = models.CharField("state", max_length=100, blank=True)
    postal_code = models.CharField("ZIP code", max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="Two-letter code.")
    phone = models.CharField(max_length=40, blank=True)
    hours_note = models.CharField(
        max_length=200, blank=True, help_text="e.g. “Closed on public holidays”."
    )
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField("published", default=True)
    updated_at = models.DateTimeField("last edited", auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('practice:home')}#{self.anchor}"

    @property
    def anchor(self):
        return f"location-{self.pk}"

    @property
    def address_lines(self):
        town = " ".join(part for part in [self.region, self.postal_code] if part)
        return [self.street_address, ", ".join(part for part in [self.locality, town] if part)]

    @property
    def phone_href(self):
        return phone_href(self.phone)

    def weekly_hours(self):
        """Each day of the week with its opening times, “Closed” days included."""
        by_day = {day: [] for day in Weekday}
        for period in self.opening_hours.all():
            by_day[Weekday(period.weekday)].append(period)
        return list(by_day.items())


class Weekday(models.IntegerChoices):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class OpeningHours(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = "opening hours"
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="opening_hours_close_after_opening",
                violation_error_message="The closing time must be after the opening time.",
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def get_absolute_url(self):
        return self.location.get_absolute_url()


class Closure(models.Model):
    """Days when the practice, or one location, sees no patients: holidays, training."""

    starts_on = models.DateField("first day closed")
    ends_on = models.DateField(
        "last day closed", blank=True, help_text="Leave empty when closed for one day only."
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        help_text="Leave empty when every location is closed.",
    )
    surgeon = models.ForeignKey(
        Surgeon,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        help_text="For a surgeon's leave: the surgeon's clinics close, the practice stays open.",
    )
    reason = models.CharField(
        max_length=120,
        help_text="Shown to patients who choose one of these days, e.g. “Thanksgiving”.",
    )

    class Meta:
        ordering = ["starts_on", "location"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="closure_ends_on_or_after_it_starts",
                violation_error_message="The last day closed cannot be before the first.",
            )
        ]

    def __str__(self):
        days = f"{self.starts_on:%b %-d, %Y}"
        if self.ends_on != self.starts_on:
            days += f" – {self.ends_on:%b %-d, %Y}"
        return f"{self.reason} ({days})"

    def save(self, *args, **kwargs):
        if self.ends_on is None:
            self.ends_on = self.starts_on
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("practice:home")

    def clean(self):
        if self.ends_on is None:
            self.ends_on = self.starts_on


class BackupRunQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(status=BackupRun.Status.SUCCEEDED)


class BackupRun(models.Model):
    """One backup, taken by Celery beat at night or by hand (`manage.py backup`).

    Only staff see it, in the admin (so no get_absolute_url). The unique `night` is what
    lets every machine's beat ask for the nightly backup and only one take it.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    started_at = models.DateTimeField("started", default=timezone.now)
    finished_at = models.DateTimeField("finished", null=True, blank=True)
    night = models.DateField(
        null=True, blank=True, unique=True, help_text="Empty for a backup taken by hand."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    file_name = models.CharField("file", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("size (bytes)", null=True, blank=True)
    error = models.TextField(blank=True)

    objects = BackupRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "backup"

    def __str__(self):
        started = timezone.localtime(self.started_at)
        return f"Backup of {started:%b %-d, %Y %H:%M} ({self.get_status_display()})"
