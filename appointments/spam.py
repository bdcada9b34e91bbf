"""Keeping robots off the appointment form without getting in a patient's way.

Three checks, each with a message that tells a person what to do: a field that people
never see (so never fill), a minimum time between showing the form and sending it (a
signed stamp in the page, bound to the form's submission key), and a limit on the
requests accepted from one address an hour.
The honeypot's name and label ("leave_empty", "Leave this box empty") match none of the
words that Chromium's autofill or password managers look for (name, email, company,
address, url and the like), so nothing fills it for a patient: tests/browser/test_spam.py
asks Chromium what it makes of the field.
"""

import logging
import time

from django.conf import settings
from django.core import signing
from django_ratelimit.core import get_usage

from practice.client_address import client_address

from . import services

logger = logging.getLogger(__name__)

STAMP_SALT = "appointments.form-stamp"

# Why a form was refused; the form turns each into a message.
HONEYPOT_FILLED = "honeypot_filled"
SENT_TOO_QUICKLY = "sent_too_quickly"
STAMP_EXPIRED = "stamp_expired"
STAMP_INVALID = "stamp_invalid"

RATE_LIMIT_GROUP = "appointments.request"


def form_stamp(key, shown_at=None):
    """A signed record of when the form with submission key `key` was shown (now, unless
    told otherwise).

    The stamp is bound to the key: it passes only with the form's own key, and a key saves
    at most one request (appointment_request_create), so each stamp lets one request
    through. A robot has to fetch the form, and wait, for every request it sends.
    """
    shown_at = time.time() if shown_at is None else shown_at
    return signing.dumps([int(shown_at), str(key)], salt=STAMP_SALT)


def read_stamp(stamp):
    """The (shown_at, key) that a genuine stamp records, or None for anything else."""
    if not isinstance(stamp, str):
        return None
    try:
        content = signing.loads(stamp, salt=STAMP_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    match content:
        case [int() as shown_at, str() as key] if not isinstance(shown_at, bool):
            return shown_at, key
    return None


def stamp_problem(stamp, key, now=None):
    """What is wrong with a stamp posted with submission key `key` (a UUID, or None when
    the form had none): one of the codes above, or None when it is fine."""
    now = time.time() if now is None else now
    content = read_stamp(stamp)
    if content is None or key is None:
        return STAMP_INVALID
    shown_at, stamped_key = content
    if stamped_key != str(key):
        return STAMP_INVALID
    age = now - shown_at
    if age < settings.APPOINTMENT_FORM_MIN_SECONDS:
        return SENT_TOO_QUICKLY
    if age > settings.APPOINTMENT_FORM_MAX_AGE_HOURS * 3600:
        return STAMP_EXPIRED
    return None


def rate_limit_wait(request, *, submission_key):
    """Count one accepted request from this address; seconds to wait if it is one too many.

    None means go ahead. A second tap on "Send" (a submission key saved already) is not
    another request, and is not counted: it finds the first. When the count cannot be
    kept (the cache is down, or the address is unknown) the request goes ahead too: a
    patient's request matters more than spam.
    """
    limit = settings.APPOINTMENT_REQUESTS_PER_HOUR
    address = client_address(request)
    if not limit or address is None:
        return None
    if services.appointment_request_exists(submission_key=submission_key):
        return None
    try:
        usage = get_usage(
            request,
            group=RATE_LIMIT_GROUP,
            key=lambda group, request: address,
            rate=(limit, 3600),
            increment=True,
        )
    except Exception:
        logger.warning("The appointment rate limit could not be checked.", exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    if not usage["limit"]:
        # django-ratelimit's answer when the cache failed to count.
        logger.warning("The appointment rate limit could not be counted.")
        return None
    logger.info("An appointment request was over the hourly limit for its address.")
    return max(usage["time_left"], 1)
