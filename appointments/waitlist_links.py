"""The links in waitlist emails: take an offered time, or leave the waitlist.

Each signs a random key of its own (as links.py does), with a salt of its own, so that a
link for one cannot be turned into the other, and none can be guessed or altered.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from practice.public_urls import public_url

from .links import LinkInvalid
from .waitlist import WaitlistEntry, WaitlistOffer

OFFER_SALT = "appointments.waitlist-offer"
LEAVE_SALT = "appointments.waitlist-leave"


def offer_url(offer):
    token = signing.Signer(salt=OFFER_SALT).sign_object(str(offer.link_key))
    return public_url(reverse("appointments:waitlist_offer", args=[token]))


def leave_url(entry):
    return public_url(leave_path(entry))


def leave_path(entry):
    token = signing.Signer(salt=LEAVE_SALT).sign_object(str(entry.link_key))
    return reverse("appointments:waitlist_leave", args=[token])


def offer_from_token(token):
    """The offer the token names; LinkInvalid if it was altered or names none."""
    return _named(
        WaitlistOffer.objects.select_related(
            "location", "entry__appointment_request", "surgeon", "visit_type"
        ),
        token,
        OFFER_SALT,
    )


def entry_from_token(token):
    """The waitlist entry the token names; LinkInvalid if it was altered or names none."""
    return _named(WaitlistEntry.objects.select_related("appointment_request"), token, LEAVE_SALT)


def _named(queryset, token, salt):
    try:
        link_key = signing.Signer(salt=salt).unsign_object(token)
        return queryset.get(link_key=link_key)
    except (
        signing.BadSignature,
        queryset.model.DoesNotExist,
        TypeError,
        ValueError,
        ValidationError,
    ):
        raise LinkInvalid from None
