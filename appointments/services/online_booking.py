"""A patient books an open time on the form: the request and its appointment together."""

import uuid

from django.db import transaction

from ..models import AppointmentRequest
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
