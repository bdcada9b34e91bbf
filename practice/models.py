import re

from django.conf import settings
from django.db import models
from django.urls import reverse
from solo.models import SingletonModel

from .richtext import RichTextField
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
    address = models.TextField(blank=True)
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

    class Meta:
        verbose_name = "practice details"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practice:home")

    @property
    def phone_href(self):
        return "tel:" + re.sub(r"[^\d+]", "", self.phone)

    def get_office_recipients(self):
        return parse_email_list(self.office_recipients) or list(settings.OFFICE_EMAIL)


class SurgeonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Surgeon(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    role = models.CharField(max_length=120, blank=True, help_text="e.g. Consultant spine surgeon")
    credentials = models.CharField(max_length=200, blank=True)
    biography = RichTextField(blank=True)
    is_default = models.BooleanField(
        "default surgeon",
        default=False,
        help_text="Shown on the home page and as the reviewer of new pages.",
    )
    is_published = models.BooleanField("published", default=True)

    objects = SurgeonQuerySet.as_manager()

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

    def get_absolute_url(self):
        return reverse("practice:surgeon", kwargs={"slug": self.slug})
