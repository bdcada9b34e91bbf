"""A patient's details: kept only as long as the practice needs them, never in a queue."""

import base64
import io
import json
from datetime import timedelta

import pytest
import redis
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from appointments import services
from appointments.models import AppointmentRequest, Notification
from practice.tasks import clear_expired_sessions
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    NotificationFactory,
    OfficeNoteFactory,
    UserFactory,
)
from tests.support.tasks import celery_publishing_to

pytestmark = pytest.mark.django_db

PATIENT = {
    "full_name": "Ana María Núñez",
    "email": "ana@patient.test",
    "phone": "+12015550199",
    "message": "The pain came back after my fusion.",
    "surgery_place": "St Example Hospital",
    "referring_doctor": "Dr. Lee",
}


def untouched_for(days, **fields):
    appointment_request = AppointmentRequestFactory(**PATIENT, **fields)
    AppointmentRequest.objects.filter(pk=appointment_request.pk).update(
        updated_at=timezone.now() - timedelta(days=days)
    )
    return appointment_request


def test_requests_past_the_retention_period_lose_the_patients_details(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 365
    old = untouched_for(400, red_flags=["leg_weakness"], is_urgent=True)
    OfficeNoteFactory(appointment_request=old, text="Spoke to Ana's husband.")
    NotificationFactory(appointment_request=old, recipients="ana@patient.test")

    assert services.appointment_request_anonymise_past_retention() == 1

    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert old.full_name == "(removed)"
    for field in ["email", "phone", "message", "surgery_place", "referring_doctor"]:
        assert str(getattr(old, field)) == "", field
    assert old.red_flags == []
    assert old.is_urgent is False
    assert old.had_spine_surgery is None
    assert not old.notes.exists()
    assert Notification.objects.get().recipients == ""
    # What the office counts stays: the reference, dates, status and condition.
    assert old.reference
    assert old.condition is not None


def test_recent_requests_and_coming_appointments_are_kept(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 365
    recent = untouched_for(300)
    booked_far_ahead = untouched_for(400)
    AppointmentFactory(
        appointment_request=booked_far_ahead, starts_at=timezone.now() + timedelta(days=30)
    )

    assert services.appointment_request_anonymise_past_retention() == 0

    for kept in (recent, booked_far_ahead):
        kept.refresh_from_db()
        assert kept.full_name == "Ana María Núñez"
        assert kept.anonymised_at is None


def test_the_command_counts_first_then_anonymises(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 365
    old = untouched_for(400)

    out = io.StringIO()
    call_command("anonymise_old_requests", "--dry-run", stdout=out)
    assert "1 requests are older than 365 days (nothing changed)" in out.getvalue()
    old.refresh_from_db()
    assert old.anonymised_at is None

    call_command("anonymise_old_requests", stdout=out)
    assert "Anonymised 1 requests older than 365 days." in out.getvalue()
    old.refresh_from_db()
    assert old.full_name == "(removed)"


def test_beat_runs_the_retention_task_every_night(settings):
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "appointments.anonymise_old_requests"
    ]
    assert entry["schedule"] == 24 * 60 * 60


def test_consent_is_stored_with_its_time_and_wording(client, valid_form_data):
    before = timezone.now()

    client.post("/appointments/", valid_form_data)

    appointment_request = AppointmentRequest.objects.get()
    assert appointment_request.consent_wording == (
        "I agree that the practice may contact me by phone or email about this request."
    )
    assert before <= appointment_request.consented_at <= timezone.now()


def test_only_ids_travel_through_the_broker(
    broker_url, valid_form_data, client, django_capture_on_commit_callbacks
):
    """The task messages on the queue carry the outbox row's id, nothing of the patient."""
    private_url = broker_url.rsplit("/", 1)[0] + "/13"  # a database no worker reads
    private = redis.Redis.from_url(private_url)
    private.delete("celery")
    with celery_publishing_to(private_url), django_capture_on_commit_callbacks(execute=True):
        client.post("/appointments/", valid_form_data)
    raw_messages = private.lrange("celery", 0, -1)
    private.delete("celery")

    assert len(raw_messages) == 2
    queued_ids = set()
    for raw in raw_messages:
        message = json.loads(raw)
        assert message["headers"]["task"] == "appointments.send_notification"
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        assert kwargs == {}
        queued_ids.update(args)
        text = raw.decode() + base64.b64decode(message["body"]).decode()
        for detail in ["Ana", "Núñez", "N\\u00fa", "ana@patient.test", "2015550199", "fusion"]:
            assert detail not in text
    assert queued_ids == set(Notification.objects.values_list("pk", flat=True))


def test_the_admins_own_history_forgets_the_patient_too(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 365
    old = untouched_for(400)
    staff = UserFactory()
    LogEntry.objects.log_actions(
        staff.pk, [old], CHANGE, change_message=[{"added": {"name": "office note"}}]
    )

    services.appointment_request_anonymise_past_retention()

    [entry] = LogEntry.objects.all()
    assert entry.object_repr == old.reference
    assert "Ana" not in entry.object_repr
    assert entry.get_change_message() == ""


def test_the_thanks_pages_session_is_deleted_by_the_nightly_task(
    client, valid_form_data, time_machine
):
    time_machine.move_to(timezone.now())
    client.post("/appointments/", valid_form_data)
    reference = AppointmentRequest.objects.get().reference
    [session] = Session.objects.all()
    assert session.get_decoded()["appointment_reference"] == reference

    time_machine.shift(timedelta(hours=1, seconds=1))
    thanks = client.get("/appointments/thanks/")
    clear_expired_sessions()

    assert reference not in thanks.text
    assert not Session.objects.exists()


def test_beat_clears_expired_sessions_every_night(settings):
    assert any(
        entry["task"] == "practice.clear_expired_sessions" and entry["schedule"] == 24 * 60 * 60
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
