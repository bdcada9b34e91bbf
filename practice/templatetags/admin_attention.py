from django import template

from practice import attention

register = template.Library()


@register.simple_tag
def attention_items(user):
    """What the apps' checks find for `user` (practice/attention.py)."""
    return attention.attention_items(user)
