"""The link in a confirmation with which a patient, without an account, manages their visit.

The token is the appointment's id, signed with the site's secret key, so that it cannot be
guessed or altered. It works until the appointment begins, however far ahead the office
booked it.
"""

from django.core import signing
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
    token = signing.Signer(salt=SALT).sign_object(appointment.pk)
    return public_url(reverse("appointments:manage", args=[token]))


def appointment_from_token(token):
    """The appointment the token names; LinkInvalid if altered, LinkExpired if it is gone
    or has begun."""
    try:
        appointment_id = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        raise LinkInvalid from None
    try:
        appointment = Appointment.objects.select_related("location", "appointment_request").get(
            pk=appointment_id
        )
    except (Appointment.DoesNotExist, TypeError, ValueError):
        # Signed by us, but for an appointment since deleted (retention, say).
        raise LinkExpired from None
    if appointment.starts_at <= timezone.now():
        raise LinkExpired
    return appointment
