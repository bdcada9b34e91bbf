"""Removing patients' details from requests past the retention period."""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from practice import audit

from ..models import AppointmentRequest, Notification, OfficeNote

logger = logging.getLogger(__name__)

# What anonymising leaves of a request: its reference, dates, status, condition and
# history, for the office's figures; nothing that says who the patient was or what ails
# them, not even whether it was urgent or followed an operation.
ANONYMISED = {
    "is_urgent": False,
    "had_spine_surgery": None,
    "full_name": "(removed)",
    "email": "",
    "phone": "",
    "voicemail_ok": None,
    "surgery_year": None,
    "surgery_level": "",
    "surgery_place": "",
    "imaging": [],
    "imaging_age": "",
    "referring_doctor": "",
    "red_flags": [],
    "message": "",
    "submission_key": None,
}


def appointment_request_anonymise_past_retention(
    *, now: datetime | None = None, batch_size: int = 500
) -> int:
    """Remove the patient's details from every request past the retention period.

    Their internal notes go too, and the addresses on their emails. Returns how many.
    """
    now = now or timezone.now()
    done = 0
    while ids := list(
        AppointmentRequest.objects.past_retention(now).values_list("pk", flat=True)[:batch_size]
    ):
        with transaction.atomic():
            audit.record(
                audit.Action.REQUESTS_ANONYMISED,
                appointment_requests=AppointmentRequest.objects.filter(pk__in=ids).only(
                    "pk", "reference"
                ),
                details={"count": len(ids), "retention_days": settings.APPOINTMENT_RETENTION_DAYS},
            )
            AppointmentRequest.objects.filter(pk__in=ids).update(
                **ANONYMISED, anonymised_at=now, updated_at=now
            )
            _forget_in_admin_history(ids)
            OfficeNote.objects.filter(appointment_request__in=ids).delete()
            Notification.objects.filter(appointment_request__in=ids).update(
                recipients="", last_error=""
            )
        done += len(ids)
    if done:
        logger.info("Anonymised %s appointment requests past the retention period.", done)
    return done


def _forget_in_admin_history(request_ids):
    """The admin's own log: each entry names the request by its reference alone (as
    __str__ does, and migration 0005 made older entries do), and loses its message, which
    may name what was changed."""
    content_type = ContentType.objects.get_for_model(AppointmentRequest)
    references = AppointmentRequest.objects.filter(pk__in=request_ids).values_list(
        "pk", "reference"
    )
    for pk, reference in references:
        LogEntry.objects.filter(content_type=content_type, object_id=str(pk)).update(
            object_repr=reference, change_message=""
        )
