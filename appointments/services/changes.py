"""The patient's own changes with the link in their email: moving to another open time
of the same visit type and place, until the change deadline. (Cancelling, and asking the
office for another time, are in requests.py; an earlier time from the waitlist, in
waitlist.py.) Each is a step in the request's history and in the audit log, and the
office is told."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practice import audit
from practice.models import Practice

from ..models import Appointment, AppointmentRequest, Notification
from .open_times import OpenTime
from .outbox import notification_queue_on_commit
from .requests import appointment_book, appointment_request_change_status


def appointment_move_by_patient(*, appointment: Appointment, open_time: OpenTime) -> Appointment:
    """Move the appointment to `open_time`; the confirmation of the new time goes to the
    patient (the same calendar event, a newer version), the office is told, the old time
    is freed. ValidationError if the deadline has passed, the time is not of the same
    visit type and place, or it has just gone."""
    with transaction.atomic():
        # The request first, as the other services that change it lock it.
        appointment_request = AppointmentRequest.objects.select_for_update().get(
            pk=appointment.appointment_request_id
        )
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        appointment.appointment_request = appointment_request
        if not appointment.patient_may_move:
            raise ValidationError(
                _("This appointment can no longer be moved online, so nothing has been changed."),
                code="too_late",
            )
        if (open_time.visit_type.pk, open_time.location.pk) != (
            appointment.visit_type_id,
            appointment.location_id,
        ):
            raise ValidationError(
                _("Please choose one of the times shown."), code="other_visit_type_or_place"
            )
        moved_to = appointment_book(
            appointment_request=appointment_request,
            starts_at=open_time.start,
            location=open_time.location,
            by=None,
            surgeon=open_time.surgeon,
            visit_type=open_time.visit_type,
        )
        office_told_of_move(appointment=moved_to)
        # appointment_book has put the move in the history ("Moved to …", by the patient).
        patient_change_record(
            appointment_request=appointment_request,
            detail=f"The patient moved their appointment with the link in their email: {moved_to}",
            in_history=False,
        )
    return moved_to


def office_told_of_move(*, appointment: Appointment) -> Notification:
    """Queue the office's email about a patient who moved to `appointment`."""
    notice = Notification.objects.create(
        appointment_request=appointment.appointment_request,
        appointment=appointment,
        kind=Notification.Kind.PATIENT_MOVED,
        recipients=", ".join(Practice.get_solo().get_office_recipients()),
    )
    notification_queue_on_commit(notifications=[notice])
    return notice


def patient_change_record(
    *, appointment_request: AppointmentRequest, detail: str, in_history: bool = True
) -> None:
    """A change the patient made that leaves the request's status as it was: a step in
    its history, and an entry in the audit log (which records status changes itself)."""
    if in_history:
        appointment_request_change_status(
            appointment_request=appointment_request,
            status=appointment_request.status,
            by=None,
            detail=detail[:300],
        )
    audit.record(
        audit.Action.REQUEST_STATUS_CHANGED,
        appointment_requests=[appointment_request],
        details={
            "from": appointment_request.status,
            "to": appointment_request.status,
            "by_patient": True,
            "change": detail.partition(":")[0],
        },
    )
