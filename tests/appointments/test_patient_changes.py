"""The patient's own changes with the link in their email: moving to another open time
until the change deadline, and cancelling until the appointment starts."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from appointments import services
from appointments.models import Appointment
from practice.audit import Action, AuditEntry
from tests.factories import AppointmentRequestFactory, ClinicSessionFactory, VisitTypeFactory
from tests.support.schedule import MONDAY, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def six_days_before(time_machine, practice):
    """Tuesday noon: the week shown first runs to MONDAY."""
    time_machine.move_to(local(MONDAY - timedelta(days=6), 12), tick=False)


@pytest.fixture
def session():
    """Mondays 9:00 to 12:00, twenty-minute follow-ups."""
    return ClinicSessionFactory(
        valid_from=MONDAY - timedelta(days=14),
        visit_types=[VisitTypeFactory(name="Follow-up", duration_minutes=20)],
    )


@pytest.fixture
def booked(session, committed):
    """A returning patient booked on MONDAY at 10:00; their link, and their confirmation."""
    appointment = committed(
        services.appointment_book,
        appointment_request=AppointmentRequestFactory(email="ana@patient.test"),
        starts_at=local(MONDAY, 10),
        location=session.location,
        by=None,
        surgeon=session.surgeon,
        visit_type=session.visit_types.get(),
    )
    [confirmation] = mail.outbox
    mail.outbox.clear()
    return appointment, manage_path(confirmation), confirmation


def manage_path(message):
    return re.search(r"https://practice\.test(/appointments/manage/[^/\s]+/)", message.body)[1]


def calendar_event(message):
    [(_, content, _)] = message.attachments
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return str(calendar["method"]), event


def open_starts(session):
    found = services.open_times_find(
        visit_type=session.visit_types.get(), first_day=MONDAY, days=1, location=session.location
    )
    return [open_time.start for open_time in found]


def test_the_move_page_lists_the_open_times_of_the_same_visit_type_and_place(client, booked):
    _, path, _ = booked

    response = client.get(f"{path}move/")

    assert response.status_code == 200
    assert "Monday, February 1" in response.text
    assert "9:00 AM" in response.text
    assert f'value="{local(MONDAY, 10, 20).isoformat()}"' in response.text
    # Their own time is booked, so not offered.
    assert f'value="{local(MONDAY, 10).isoformat()}"' not in response.text
    assert 'type="radio"' in response.text


def test_the_manage_page_offers_the_move_before_the_deadline(client, booked):
    _, path, _ = booked

    response = client.get(path)

    assert "Move to another time" in response.text
    assert f"{path}move/" in response.text


def test_patient_moves_to_another_open_time(client, booked, committed, session):
    appointment, path, _ = booked

    response = committed(client.post, f"{path}move/", {"start": local(MONDAY, 11).isoformat()})

    assert response.status_code == 302
    moved_to = appointment.appointment_request.current_appointment()
    assert moved_to.starts_at == local(MONDAY, 11)
    assert (moved_to.surgeon, moved_to.visit_type) == (session.surgeon, session.visit_types.get())
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.MOVED
    page = client.get(response["Location"])
    assert "Your appointment has moved" in page.text
    assert "11:00 AM" in page.text
    # The old time is open again; the new one is not.
    assert local(MONDAY, 10) in open_starts(session)
    assert local(MONDAY, 11) not in open_starts(session)


def test_a_move_emails_the_same_calendar_event_in_a_newer_version_and_tells_the_office(
    client, booked, committed
):
    _, path, first_confirmation = booked

    committed(client.post, f"{path}move/", {"start": local(MONDAY, 11).isoformat()})

    [confirmation] = [message for message in mail.outbox if message.to == ["ana@patient.test"]]
    _, first = calendar_event(first_confirmation)
    method, event = calendar_event(confirmation)
    assert method == "PUBLISH"
    assert event["uid"] == first["uid"]
    assert event["sequence"] > first["sequence"]
    assert event.decoded("dtstart") == local(MONDAY, 11)
    [office] = [message for message in mail.outbox if message.to != ["ana@patient.test"]]
    assert office.to == ["office@practice.test", "manager@practice.test"]
    assert office.subject.startswith("Moved by the patient")
    assert "11:00 AM" in office.body


def test_a_move_is_in_the_requests_history_and_the_audit_log(client, booked, committed):
    appointment, path, _ = booked

    committed(client.post, f"{path}move/", {"start": local(MONDAY, 11).isoformat()})

    step = appointment.appointment_request.status_changes.last()
    assert step.changed_by_label == "The patient"
    assert step.detail.startswith("Moved to Mon Feb 1, 2027 11:00 AM")
    entry = AuditEntry.objects.filter(action=Action.REQUEST_STATUS_CHANGED).first()
    assert entry.appointment_requests == [
        [appointment.appointment_request.pk, appointment.appointment_request.reference]
    ]
    assert entry.details["by_patient"] is True


def test_after_the_deadline_the_page_gives_the_phone_and_refuses_the_move(
    client, booked, committed, time_machine
):
    appointment, path, _ = booked
    time_machine.move_to(local(MONDAY, 10) - timedelta(hours=23), tick=False)

    manage_page = client.get(path)
    response = committed(client.post, f"{path}move/", {"start": local(MONDAY, 11).isoformat()})

    assert "Move to another time" not in manage_page.text
    assert "too close to your appointment to move it online" in manage_page.text
    assert "+1 555 0123" in manage_page.text
    assert response.status_code == 400
    assert "can no longer be moved online, so nothing has been changed" in response.text
    assert "+1 555 0123" in response.text
    assert appointment.appointment_request.current_appointment() == appointment
    assert mail.outbox == []


@pytest.mark.parametrize(
    "start",
    [
        "",
        "next tuesday",
        # Not a visit's start in the session.
        "2027-02-01T10:05:00-05:00",
        # Outside the session.
        "2027-02-01T15:00:00-05:00",
        # No time zone.
        "2027-02-01T11:00:00",
        # Past.
        "2027-01-18T11:00:00-05:00",
    ],
)
def test_a_time_never_offered_is_refused_and_changes_nothing(client, booked, committed, start):
    appointment, path, _ = booked

    response = committed(client.post, f"{path}move/", {"start": start})

    assert response.status_code == 400
    assert "Please choose" in response.text or "is not open any more" in response.text
    assert appointment.appointment_request.current_appointment() == appointment
    assert mail.outbox == []


def test_a_time_another_patient_took_meanwhile_is_refused_with_the_times_left(
    client, booked, committed, session
):
    appointment, path, _ = booked
    committed(
        services.appointment_book,
        appointment_request=AppointmentRequestFactory(),
        starts_at=local(MONDAY, 11),
        location=session.location,
        by=None,
        surgeon=session.surgeon,
        visit_type=session.visit_types.get(),
    )
    mail.outbox.clear()

    response = committed(client.post, f"{path}move/", {"start": local(MONDAY, 11).isoformat()})

    assert response.status_code == 400
    assert "That time is not open any more" in response.text
    assert f'value="{local(MONDAY, 11, 20).isoformat()}"' in response.text
    assert appointment.appointment_request.current_appointment() == appointment
    assert mail.outbox == []


def test_moving_an_appointment_that_has_passed_says_the_link_expired(
    client, booked, committed, time_machine
):
    appointment, path, _ = booked
    time_machine.move_to(local(MONDAY, 10, 5), tick=False)

    response = committed(client.post, f"{path}move/", {"start": local(MONDAY, 11).isoformat()})

    assert response.status_code == 410
    assert "This link has expired" in response.text
    appointment.refresh_from_db()
    assert appointment.is_booked
    assert mail.outbox == []


def test_an_appointment_booked_outside_the_sessions_is_not_moved_online(client, committed):
    appointment = committed(
        services.appointment_book,
        appointment_request=AppointmentRequestFactory(),
        starts_at=local(MONDAY, 15),
        location=ClinicSessionFactory().location,
        by=None,
    )
    path = manage_path(mail.outbox[0])

    assert "Move to another time" not in client.get(path).text
    response = client.post(f"{path}move/", {"start": local(MONDAY, 11).isoformat()})
    assert response.status_code == 400
    assert appointment.appointment_request.current_appointment() == appointment


def test_the_week_is_chosen_by_get_and_a_bad_week_shows_this_one(client, booked):
    _, path, _ = booked

    later = client.get(f"{path}move/", {"week": (MONDAY + timedelta(days=7)).isoformat()})
    bad = client.get(f"{path}move/", {"week": "not-a-day"})

    assert "<legend>Monday, February 8" in later.text
    assert "<legend>Monday, February 1" not in later.text
    assert bad.status_code == 200
    assert "<legend>Monday, February 1" in bad.text


def test_cancelling_frees_the_time_and_emails_a_calendar_cancellation(
    client, booked, committed, session
):
    _, path, first_confirmation = booked

    committed(client.post, path, {"action": "cancel"})

    assert local(MONDAY, 10) in open_starts(session)
    [to_patient] = [message for message in mail.outbox if message.to == ["ana@patient.test"]]
    assert to_patient.subject.startswith("Your appointment on Mon, Feb 1 at 10:00 AM is cancelled")
    assert "Ana" not in to_patient.subject
    _, first = calendar_event(first_confirmation)
    method, event = calendar_event(to_patient)
    assert method == "CANCEL"
    assert event["uid"] == first["uid"]
    assert event["sequence"] > first["sequence"]
    assert AuditEntry.objects.filter(
        action=Action.REQUEST_STATUS_CHANGED, details__to="cancelled", details__by_patient=True
    ).exists()


def test_a_late_cancel_is_allowed_until_the_appointment_starts(
    client, booked, committed, time_machine
):
    appointment, path, _ = booked
    time_machine.move_to(local(MONDAY, 9, 59), tick=False)

    committed(client.post, path, {"action": "cancel"})

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert timezone.now() < appointment.starts_at
