"""A surgeon's private calendar feed: the secret address their calendar app subscribes to.

The token is the address's only secret, so it is long and random, and never reused: a new
address revokes the old one, and a revoked address answers as if it had never been.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse


def generate_feed_token():
    # 32 random bytes: 43 characters safe in an address.
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at=None)


class CalendarFeed(models.Model):
    surgeon = models.ForeignKey(
        "practice.Surgeon", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(
        max_length=64, unique=True, default=generate_feed_token, editable=False
    )
    created_at = models.DateTimeField("made", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="made by",
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["surgeon", "-created_at"]
        verbose_name = "surgeon's calendar feed"
        verbose_name_plural = "surgeons' calendar feeds"
        constraints = [
            models.UniqueConstraint(
                fields=["surgeon"],
                condition=models.Q(revoked_at=None),
                name="one_active_calendar_feed_per_surgeon",
            )
        ]

    def __str__(self):
        state = "revoked" if self.revoked_at else "active"
        return f"{self.surgeon}'s calendar feed ({state})"

    def get_absolute_url(self):
        return reverse("appointments:calendar_feed", kwargs={"token": self.token})

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def address(self):
        """The full address to give the surgeon, as their calendar app subscribes to it."""
        return f"{settings.SITE_URL}{self.get_absolute_url()}"
