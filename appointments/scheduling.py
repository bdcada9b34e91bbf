"""What the practice offers: kinds of visit, and the clinic sessions they are seen in.

Open times come from these (appointments/services/open_times.py): each session's hours,
cut into visits of the visit type's length, less closures and booked appointments.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.models import Weekday


class VisitTypeQuerySet(models.QuerySet):
    def bookable_online(self):
        return self.filter(is_bookable_online=True)


class VisitType(models.Model):
    """A kind of visit, e.g. "Follow-up after surgery": how long it takes, and whether
    patients may book it themselves, and which patients."""

    class Audience(models.TextChoices):
        RETURNING = "returning", _("Patients the practice has seen before")
        POST_OPERATIVE = "post_operative", _("Patients after an operation here")

    name = models.CharField(max_length=80, help_text="As patients read it, e.g. “Follow-up visit”.")
    slug = models.SlugField(unique=True, help_text="Its name in addresses: ?visit_type=…")
    description = models.CharField(
        max_length=200,
        blank=True,
        help_text="One line for patients choosing it, e.g. “For patients we have seen before”.",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        "length (minutes)", default=20, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    is_bookable_online = models.BooleanField(
        "patients may book it online",
        default=False,
        help_text="Off: patients ask for it with a request, and the office calls them back.",
    )
    audience = models.CharField(
        "who may book it online",
        max_length=20,
        choices=Audience,
        default=Audience.RETURNING,
        help_text="New patients and second opinions always go through the office.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = VisitTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "visit type"

    def __str__(self):
        return self.name


class ClinicSession(models.Model):
    """A surgeon's recurring clinic at a location: e.g. Tuesdays 9:00 to 12:30, from
    January on. Times are the practice's wall-clock times, whatever the clocks do."""

    surgeon = models.ForeignKey(
        "practice.Surgeon", on_delete=models.CASCADE, related_name="clinic_sessions"
    )
    location = models.ForeignKey(
        "practice.Location", on_delete=models.CASCADE, related_name="clinic_sessions"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    starts = models.TimeField("from")
    ends = models.TimeField("until")
    valid_from = models.DateField("first day")
    valid_until = models.DateField("last day", null=True, blank=True, help_text="Empty: no end.")
    visit_types = models.ManyToManyField(
        VisitType, related_name="clinic_sessions", help_text="The visits seen in this session."
    )

    class Meta:
        ordering = ["weekday", "starts", "location", "surgeon"]
        verbose_name = "clinic session"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")),
                name="clinic_session_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="clinic_session_last_day_on_or_after_first",
            ),
        ]

    def __str__(self):
        return (
            f"{Weekday(self.weekday).label}s {self.starts:%H:%M}–{self.ends:%H:%M}, "
            f"{self.location}, {self.surgeon}"
        )

    def clean(self):
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "A session ends after it starts."})
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "The last day is on or after the first."})

    def runs_on(self, day):
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )
