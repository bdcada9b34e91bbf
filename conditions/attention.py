"""What the condition pages ask of staff, for the admin's “Needs attention” box."""

from django.urls import reverse
from django.utils.http import urlencode

from practice.attention import AttentionItem

from .models import Condition


def pages_due_for_review(user):
    if not user.has_perm("conditions.view_condition"):
        return None
    count = Condition.objects.review_due().count()
    if not count:
        return None
    url = reverse("admin:conditions_condition_changelist")
    pages = "1 condition page is" if count == 1 else f"{count} condition pages are"
    return AttentionItem(f"{pages} due for medical review", f"{url}?{urlencode({'review': 'due'})}")
