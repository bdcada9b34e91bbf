import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Any control character: a line break in a name or a phone number is never meant, and it
# must never reach an email header. Unicode's own line breaks (NEL, the line and paragraph
# separators) count too: Python's str.splitlines() and some mail programs break lines at them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def parse_email_list(value):
    """Split a comma- or newline-separated list of addresses, dropping blanks."""
    return [part.strip() for part in re.split(r"[,;\n]", value or "") if part.strip()]


def validate_email_list(value):
    for address in parse_email_list(value):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                "“%(address)s” is not a valid email address.",
                code="invalid_email",
                params={"address": address},
            ) from None


def validate_single_line(value):
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError("Please write this on one line.", code="control_characters")
