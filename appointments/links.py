"""The link in a confirmation with which a patient, without an account, manages their visit.

The token is the appointment's random link key, signed with the site's secret key, so that
it cannot be guessed or altered and tells nothing of how many appointments there are. It
works until the appointment begins, however far ahead the office booked it. Links sent
before the key existed sign the appointment's id: they work as long, as they always did.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from practice.public_urls import public_url

from .models import Appointment

SALT = "appointments.manage-appointment"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def manage_url(appointment):
    return public_url(manage_path(appointment))


def manage_path(appointment):
    token = signing.Signer(salt=SALT).sign_object(str(appointment.link_key))
    return reverse("appointments:manage", args=[token])


def appointment_from_token(token):
    """The appointment the token names; LinkInvalid if altered, LinkExpired if it is gone
    or has begun."""
    try:
        named = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        raise LinkInvalid from None
    # A string is a link key; a number, the id an earlier link signed.
    lookup = {"pk": named} if isinstance(named, int) else {"link_key": named}
    try:
        appointment = Appointment.objects.select_related("location", "appointment_request").get(
            **lookup
        )
    except (Appointment.DoesNotExist, TypeError, ValueError, ValidationError):
        # Signed by us, but for an appointment since deleted (retention, say).
        raise LinkExpired from None
    if appointment.starts_at <= timezone.now():
        raise LinkExpired
    return appointment
