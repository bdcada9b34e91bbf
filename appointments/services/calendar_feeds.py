"""The surgeons' private calendar feeds: a new secret address, and revoking one."""

from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from practice.models import Surgeon

from ..surgeon_feeds import CalendarFeed


def calendar_feed_create(*, surgeon: Surgeon, by: AbstractUser | None) -> CalendarFeed:
    """A new address for the surgeon's calendar; the address they had stops working."""
    with transaction.atomic():
        # Locks the surgeon's row, so two managers at once make one address, not two.
        Surgeon.objects.select_for_update().get(pk=surgeon.pk)
        calendar_feed_revoke(surgeon=surgeon)
        return CalendarFeed.objects.create(surgeon=surgeon, created_by=by)


def calendar_feed_revoke(*, surgeon: Surgeon) -> int:
    """Stop the surgeon's address working (their calendar app then shows nothing new).
    Returns how many addresses were revoked: 0 or 1."""
    return CalendarFeed.objects.active().filter(surgeon=surgeon).update(revoked_at=timezone.now())
