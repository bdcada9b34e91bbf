from django import template
from django.utils.safestring import mark_safe

from ..richtext import clean_rich_text

register = template.Library()


@register.filter
def rich_text(value):
    """Stored rich text, cleaned again to the allow-list as it is shown."""
    return mark_safe(clean_rich_text(value or ""))
