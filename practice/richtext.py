"""One rich-text field for every piece of prose staff write.

Staff get a toolbar (bold, italic, lists, links, subheadings), never HTML to type. What
they save is cleaned to the allow-list by nh3, and cleaned again as a page shows it (the
`rich_text` filter): a fixture, a `QuerySet.update` or raw SQL writes past the field, and
must not put a script on a patient's page.
"""

import html
import re

from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField, create_sanitizer

BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|ul|ol|blockquote)>|<br\s*/?>)", re.IGNORECASE)

RICH_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Heading": {"levels": [3]},
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "History": True,
}


clean_rich_text = create_sanitizer(RICH_TEXT_EXTENSIONS)


class RichTextField(ProseEditorField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", RICH_TEXT_EXTENSIONS)
        kwargs.setdefault("sanitize", clean_rich_text)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        """Clean on every save, not only through a form, so no path stores raw HTML."""
        value = self.sanitize(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value


def sanitize_rich_text(instance):
    """Clean `instance`'s rich text now, as saving will, for what is computed from it."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, RichTextField):
            field.pre_save(instance, add=False)


def plain_text(rich_text):
    """The words of stored rich text, with a space wherever a paragraph or item ends."""
    return " ".join(html.unescape(strip_tags(BLOCK_END.sub(r"\1 ", rich_text))).split())
