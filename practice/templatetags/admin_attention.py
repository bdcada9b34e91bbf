"""What staff should look at first, shown at the top of the admin's index page."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from conditions.models import Condition

register = template.Library()


@dataclass
class AttentionItem:
    message: str
    url: str


def pages_due_for_review(user):
    if not user.has_perm("conditions.view_condition"):
        return None
    count = Condition.objects.review_due().count()
    if not count:
        return None
    url = reverse("admin:conditions_condition_changelist")
    pages = "1 condition page is" if count == 1 else f"{count} condition pages are"
    return AttentionItem(f"{pages} due for medical review", f"{url}?{urlencode({'review': 'due'})}")


CHECKS = [pages_due_for_review]


@register.simple_tag
def attention_items(user):
    return [item for check in CHECKS if (item := check(user))]
