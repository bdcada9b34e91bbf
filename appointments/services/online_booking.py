"""A patient books an open time on the form: the request and its appointment together."""

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction

from practice.models import Location, Surgeon

from ..models import Appointment, AppointmentRequest
from .open_times import OpenTime
from .requests import appointment_book, appointment_request_create


def appointment_request_book_online(
    *,
    open_time: OpenTime,
    submission_key: uuid.UUID | None,
    consent_wording: str,
    **answers: object,
) -> AppointmentRequest:
    """Save the patient's request and book `open_time` for it, or neither.

    The booking queues the confirmation with its calendar file, as the office's bookings
    do; the office is told of the request. If the time has gone (ValidationError, code
    "taken"), nothing is saved and no email waits. The same submission key twice (a
    second tap) returns the request booked the first time.
    """
    with transaction.atomic():
        appointment_request = appointment_request_create(
            submission_key=submission_key,
            consent_wording=consent_wording,
            acknowledge=False,
            **answers,
        )
        if appointment_request.status == AppointmentRequest.Status.NEW:
            appointment_book(
                appointment_request=appointment_request,
                starts_at=open_time.start,
                location=open_time.location,
                surgeon=open_time.surgeon,
                visit_type=open_time.visit_type,
                by=None,
            )
    return appointment_request


def preferred_time_value(preferred_time: dict) -> str:
    """How a time the patient ticked is named in a button: as on the form."""
    return f"{preferred_time['start']}|{preferred_time['location']}"


def preferred_time_start(preferred_time: dict) -> datetime:
    return datetime.fromisoformat(preferred_time["start"])


def appointment_request_book_preferred_time(
    *, appointment_request: AppointmentRequest, value: str, by: AbstractUser
) -> Appointment:
    """Book one of the open times the patient ticked (named as preferred_time_value() names
    it), with its surgeon and the visit type asked for; the patient is sent the
    confirmation. ValidationError if the patient did not tick it, or it has gone."""
    chosen = next(
        (
            time
            for time in appointment_request.preferred_times
            if preferred_time_value(time) == value
        ),
        None,
    )
    location = chosen and Location.objects.filter(pk=chosen["location"]).first()
    if chosen is None or location is None:
        raise ValidationError("The patient did not ask for that time.", code="not_asked_for")
    return appointment_book(
        appointment_request=appointment_request,
        starts_at=preferred_time_start(chosen),
        location=location,
        surgeon=Surgeon.objects.filter(pk=chosen["surgeon"]).first(),
        visit_type=appointment_request.visit_type,
        by=by,
    )
