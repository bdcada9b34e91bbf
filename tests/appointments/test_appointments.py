"""After the office agrees a time: the confirmation, the reminder and the patient's link."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.utils import timezone
from icalendar import Calendar

from appointments import links, services
from appointments.models import Appointment, AppointmentRequest, Notification
from tests.factories import (
    AppointmentRequestFactory,
    LocationFactory,
    NotificationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday_at_the_practice")]

PRACTICE_ZONE = ZoneInfo("America/New_York")


@pytest.fixture
def appointment_request(practice):
    return AppointmentRequestFactory(
        full_name="Ana María Núñez",
        email="ana@patient.test",
        phone="(201) 555-0199",
        message="The pain came back a year after my fusion at L4-L5.",
        surgery_place="St Example Hospital",
        red_flags=[AppointmentRequest.RedFlag.LEG_WEAKNESS],
        is_urgent=True,
    )


@pytest.fixture
def location():
    return LocationFactory(
        name="Northside clinic",
        street_address="12 Harbor Road",
        locality="Springfield",
        region="ST",
        postal_code="01234",
        phone="+1 201 555 0150",
    )


@pytest.fixture
def office_staff():
    return UserFactory(first_name="Olive", last_name="Office")


def practice_time(days_ahead, hour, minute=0):
    day = timezone.localdate() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PRACTICE_ZONE)


@pytest.fixture
def book(committed, location, office_staff):
    def book(appointment_request, starts_at, location=location):
        return committed(
            services.appointment_book,
            appointment_request=appointment_request,
            starts_at=starts_at,
            location=location,
            by=office_staff,
        )

    return book


@pytest.fixture
def remind(committed):
    def remind(now):
        return committed(services.appointment_queue_due_reminders, now=now)

    return remind


def sent_to_patient(subject_start):
    return [message for message in mail.outbox if message.subject.startswith(subject_start)]


def manage_path(message):
    return re.search(r"https://practice\.test(/appointments/manage/[^/\s]+/)", message.body)[1]


def test_booking_sends_a_confirmation_with_time_place_and_calendar_file(
    appointment_request, book, location
):
    starts_at = practice_time(5, 14, 30)

    book(appointment_request, starts_at)

    [confirmation] = sent_to_patient("Your appointment")
    assert confirmation.to == ["ana@patient.test"]
    assert confirmation.subject == (
        f"Your appointment on {starts_at:%a, %b} {starts_at.day} at 2:30 PM is confirmed "
        f"({appointment_request.reference})"
    )
    html, _ = confirmation.alternatives[0]
    for body in (confirmation.body, html):
        assert f"{starts_at:%A, %B} {starts_at.day}, {starts_at.year}" in body
        assert "2:30 PM" in body
        assert "Northside clinic" in body
        assert "12 Harbor Road" in body
        assert "/appointments/manage/" in body
    [(filename, content, mimetype)] = confirmation.attachments
    assert filename == "appointment.ics"
    assert mimetype.startswith("text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == starts_at
    assert event.decoded("dtstart").tzinfo.key == "America/New_York"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert "12 Harbor Road" in str(event["location"])


def test_nothing_clinical_in_the_confirmation_or_its_calendar_file(appointment_request, book):
    book(appointment_request, practice_time(5, 9))

    [confirmation] = sent_to_patient("Your appointment")
    html, _ = confirmation.alternatives[0]
    [(_, calendar_file, _)] = confirmation.attachments
    for text in (confirmation.subject, confirmation.body, html, calendar_file):
        assert "fusion" not in text
        assert "St Example Hospital" not in text
        assert "weakness" not in text
        assert appointment_request.condition.title not in text


def test_booking_records_who_booked_and_when_in_the_history(
    appointment_request, book, office_staff
):
    appointment = book(appointment_request, practice_time(5, 9))

    appointment_request.refresh_from_db()
    assert appointment_request.status == AppointmentRequest.Status.SCHEDULED
    step = appointment_request.status_changes.last()
    assert step.changed_by == office_staff
    assert (step.from_status, step.to_status) == ("new", "scheduled")
    assert step.detail == f"Booked for {appointment}"


def test_a_new_time_moves_the_appointment_and_confirms_the_new_time(appointment_request, book):
    first = book(appointment_request, practice_time(5, 9))
    second = book(appointment_request, practice_time(6, 11))

    first.refresh_from_db()
    assert first.status == Appointment.Status.MOVED
    assert appointment_request.current_appointment() == second
    assert len(sent_to_patient("Your appointment")) == 2
    assert "11:00 AM" in sent_to_patient("Your appointment")[1].subject


def test_staff_setting_the_same_time_again_sends_nothing_more(
    appointment_request, book, office_staff, location
):
    starts_at = practice_time(5, 9)
    book(appointment_request, starts_at)

    services.appointment_request_update(
        appointment_request=appointment_request,
        status=AppointmentRequest.Status.SCHEDULED,
        starts_at=starts_at,
        location=location,
        by=office_staff,
    )

    assert len(sent_to_patient("Your appointment")) == 1
    assert appointment_request.appointments.count() == 1


def test_staff_cancelling_the_request_cancels_the_appointment(
    appointment_request, book, office_staff
):
    appointment = book(appointment_request, practice_time(5, 9))

    services.appointment_request_update(
        appointment_request=appointment_request,
        status=AppointmentRequest.Status.CANCELLED,
        by=office_staff,
    )

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment_request.status_changes.last().detail.startswith("Appointment cancelled")


def test_staff_cancelling_emails_the_patient_a_calendar_file_that_removes_the_event(
    appointment_request, book, committed, office_staff
):
    book(appointment_request, practice_time(5, 9))
    [(_, confirmation_file, _)] = sent_to_patient("Your appointment")[0].attachments

    committed(
        services.appointment_request_update,
        appointment_request=appointment_request,
        status=AppointmentRequest.Status.DECLINED,
        by=office_staff,
    )

    [notice] = [m for m in sent_to_patient("Your appointment") if "cancelled" in m.subject]
    assert notice.to == ["ana@patient.test"]
    assert "Please do not come in at this time" in notice.body
    [(_, content, mimetype)] = notice.attachments
    assert "method=CANCEL" in mimetype
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    [confirmed] = Calendar.from_ical(confirmation_file).walk("VEVENT")
    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert event["uid"] == confirmed["uid"]
    assert event["sequence"] > confirmed["sequence"]


def test_a_new_time_updates_the_same_calendar_event(appointment_request, book):
    book(appointment_request, practice_time(5, 9))
    book(appointment_request, practice_time(6, 11))

    first, second = (
        Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
        for message in sent_to_patient("Your appointment")
    )
    assert first["uid"] == second["uid"]
    assert second["sequence"] > first["sequence"]
    assert second.decoded("dtstart") == practice_time(6, 11)


def test_an_unsent_confirmation_for_a_moved_time_is_withdrawn_not_sent(
    appointment_request, book, location, office_staff
):
    # The worker is slow: the first confirmation is still waiting when the time changes.
    first = services.appointment_book(
        appointment_request=appointment_request,
        starts_at=practice_time(5, 9),
        location=location,
        by=office_staff,
    )
    book(appointment_request, practice_time(6, 9))
    stale = first.notifications.get()

    services.notification_send(notification_id=stale.pk)

    stale.refresh_from_db()
    assert stale.status == Notification.Status.WITHDRAWN
    assert len(sent_to_patient("Your appointment")) == 1


# The reminder: the day before, from the reminder hour, once.


def reminders():
    return sent_to_patient("Reminder")


@pytest.fixture
def reminders_from_midnight(settings):
    """Reminders due from the start of the day before, so one for tomorrow is due now."""
    settings.APPOINTMENT_REMINDER_HOUR = 0


def test_reminder_is_due_on_the_day_before_from_the_reminder_hour(
    appointment_request, book, settings
):
    settings.APPOINTMENT_REMINDER_HOUR = 9
    starts_at = practice_time(2, 10)
    appointment = book(appointment_request, starts_at)
    day_before = starts_at - timedelta(days=1)

    assert not appointment.reminder_is_due(day_before.replace(hour=8, minute=59))
    assert appointment.reminder_is_due(day_before.replace(hour=9))
    assert appointment.reminder_is_due(day_before.replace(hour=23, minute=59))
    assert not appointment.reminder_is_due(starts_at.replace(hour=0))


def test_due_reminder_reaches_the_patient_naming_the_day(
    appointment_request, book, remind, reminders_from_midnight
):
    starts_at = practice_time(1, 10)
    book(appointment_request, starts_at)

    assert remind(starts_at - timedelta(days=2)) == 0
    assert remind(timezone.now()) == 1

    [reminder] = reminders()
    assert reminder.to == ["ana@patient.test"]
    assert reminder.subject == (
        f"Reminder: your appointment tomorrow, {starts_at:%a, %b} {starts_at.day}, at 10:00 AM "
        f"({appointment_request.reference})"
    )
    assert "Northside clinic" in reminder.body
    assert "/appointments/manage/" in reminder.body


def test_reminder_is_sent_at_most_once(appointment_request, book, remind, reminders_from_midnight):
    book(appointment_request, practice_time(1, 10))

    for _ in range(4):
        remind(timezone.now())

    assert len(reminders()) == 1


def test_no_reminder_on_the_day_itself_if_the_day_before_was_missed(
    appointment_request, book, remind
):
    starts_at = practice_time(2, 15)
    book(appointment_request, starts_at)

    assert remind(starts_at - timedelta(hours=2)) == 0
    assert reminders() == []


def test_a_late_reminder_is_withdrawn_rather_than_say_tomorrow_on_the_day(
    appointment_request, book, reminders_from_midnight, time_machine
):
    appointment = book(appointment_request, practice_time(1, 10))
    # The broker was down all evening: the reminder's task runs after the appointment began.
    time_machine.move_to(appointment.starts_at + timedelta(hours=5), tick=False)
    late = NotificationFactory(
        appointment_request=appointment_request,
        appointment=appointment,
        kind=Notification.Kind.REMINDER,
        recipients="ana@patient.test",
    )

    services.notification_send(notification_id=late.pk)

    late.refresh_from_db()
    assert late.status == Notification.Status.WITHDRAWN
    assert reminders() == []


def test_no_reminder_after_the_appointment_is_cancelled(
    appointment_request, book, remind, reminders_from_midnight
):
    appointment = book(appointment_request, practice_time(1, 10))
    services.appointment_cancel_by_patient(appointment=appointment)

    remind(timezone.now())

    assert reminders() == []


def test_after_a_change_of_time_only_the_new_time_is_reminded(
    appointment_request, book, remind, reminders_from_midnight
):
    book(appointment_request, practice_time(1, 10))
    book(appointment_request, practice_time(1, 16))

    remind(timezone.now())
    remind(timezone.now())

    [reminder] = reminders()
    assert "4:00 PM" in reminder.subject


def test_a_queued_reminder_is_withdrawn_if_the_patient_cancels_before_it_goes(
    appointment_request, book, reminders_from_midnight
):
    appointment = book(appointment_request, practice_time(1, 10))
    services.appointment_queue_due_reminders(now=timezone.now())
    services.appointment_cancel_by_patient(appointment=appointment)
    reminder = appointment.notifications.get(kind=Notification.Kind.REMINDER)

    services.notification_send(notification_id=reminder.pk)

    reminder.refresh_from_db()
    assert reminder.status == Notification.Status.WITHDRAWN
    assert reminders() == []


# The patient's link.


@pytest.fixture
def booked(appointment_request, book):
    appointment = book(appointment_request, practice_time(5, 14, 30))
    [confirmation] = sent_to_patient("Your appointment")
    mail.outbox.clear()
    return appointment, manage_path(confirmation)


def test_link_shows_the_appointment_and_changes_nothing_on_opening(client, booked):
    appointment, path = booked

    response = client.get(path)

    assert response.status_code == 200
    assert "Northside clinic" in response.text
    assert "2:30 PM" in response.text
    assert "Cancel my appointment" in response.text
    assert "Ask for another time" in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    appointment.refresh_from_db()
    assert appointment.is_booked
    assert mail.outbox == []


def test_patient_cancels_with_the_link_and_the_office_is_told(client, booked, committed):
    appointment, path = booked

    response = committed(client.post, path, {"action": "cancel"}, follow=True)

    assert "Your appointment is cancelled" in response.text
    appointment.refresh_from_db()
    appointment_request = appointment.appointment_request
    appointment_request.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment_request.status == AppointmentRequest.Status.CANCELLED
    step = appointment_request.status_changes.last()
    assert step.changed_by is None
    assert step.changed_by_label == "The patient"
    [office] = [message for message in mail.outbox if "ana@patient.test" not in message.to]
    assert office.to == ["office@practice.test", "manager@practice.test"]
    assert office.subject == (
        f"Cancelled by the patient: appointment {appointment_request.reference}"
    )
    assert "Northside clinic" in office.body


def test_pressing_cancel_twice_tells_the_office_once(client, booked, committed):
    _, path = booked

    committed(client.post, path, {"action": "cancel"})
    response = committed(client.post, path, {"action": "cancel"}, follow=True)

    assert response.status_code == 200
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ana@patient.test",
        "office@practice.test",
    ]


def test_patient_asks_for_another_time_and_the_request_comes_back_as_new(client, booked, committed):
    appointment, path = booked

    response = committed(client.post, path, {"action": "new_time"}, follow=True)

    assert "We will call you to agree another time" in response.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.appointment_request.status == AppointmentRequest.Status.NEW
    [office] = [message for message in mail.outbox if "ana@patient.test" not in message.to]
    assert office.subject.startswith("Please call back: patient asks for another time")


def test_link_for_a_moved_appointment_says_so_and_cancels_nothing(client, booked, book, committed):
    appointment, path = booked
    book(appointment.appointment_request, practice_time(7, 9))
    mail.outbox.clear()

    response = committed(client.post, path, {"action": "cancel"}, follow=True)

    assert "This appointment has moved" in response.text
    assert "your most recent email from us has the new time" in response.text
    assert appointment.appointment_request.current_appointment().is_booked
    assert mail.outbox == []


def test_tampered_link_is_refused_clearly(client, booked, committed):
    appointment, path = booked
    other_id = signing.TimestampSigner(salt="wrong").sign_object(appointment.pk)

    for tampered in [path[:-3] + "xx/", f"/appointments/manage/{other_id}/"]:
        response = committed(client.post, tampered, {"action": "cancel"})

        assert response.status_code == 400
        assert "This link is not valid" in response.text
        assert "nothing has been changed" in response.text
    appointment.refresh_from_db()
    assert appointment.is_booked


def test_link_expires_once_the_appointment_has_begun_with_the_phone_to_call(
    client, booked, committed
):
    appointment, path = booked
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )

    for response in [client.get(path), committed(client.post, path, {"action": "cancel"})]:
        assert response.status_code == 410
        assert "This link has expired" in response.text
        assert "+1 555 0123" in response.text
    appointment.refresh_from_db()
    assert appointment.is_booked
    assert mail.outbox == []


def test_link_still_works_for_an_appointment_booked_far_ahead(client, book, appointment_request):
    book(appointment_request, practice_time(400, 9))

    response = client.get(manage_path(sent_to_patient("Your appointment")[0]))

    assert response.status_code == 200
    assert "Cancel my appointment" in response.text


def test_link_of_a_completed_visit_changes_nothing(client, booked, committed, office_staff):
    appointment, path = booked
    services.appointment_request_update(
        appointment_request=appointment.appointment_request,
        status=AppointmentRequest.Status.COMPLETED,
        by=office_staff,
    )

    response = committed(client.post, path, {"action": "cancel"}, follow=True)

    assert "This appointment can no longer be changed online" in response.text
    assert "Cancel my appointment" not in response.text
    assert mail.outbox == []


def test_link_for_an_appointment_since_deleted_reads_as_expired(client, booked):
    appointment, path = booked
    appointment.appointment_request.delete()

    response = client.get(path)

    assert response.status_code == 410


def test_a_manage_link_tells_nobody_how_many_appointments_there_are(book, booked):
    appointment, path = booked
    another = book(AppointmentRequestFactory(), practice_time(6, 10))

    named = [
        signing.Signer(salt=links.SALT).unsign_object(links.manage_url(each).split("/")[-2])
        for each in (appointment, another)
    ]

    assert named == [str(appointment.link_key), str(another.link_key)]
    assert str(appointment.pk) not in path
    assert appointment.link_key != another.link_key


def test_a_link_sent_before_the_random_key_works_until_the_visit_begins(client, booked):
    appointment, _ = booked
    earlier = signing.Signer(salt=links.SALT).sign_object(appointment.pk)
    path = f"/appointments/manage/{earlier}/"

    assert "Cancel my appointment" in client.get(path).text
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(path).status_code == 410


def test_manage_link_is_absolute_on_the_public_site(booked):
    appointment, _ = booked

    assert links.manage_url(appointment).startswith("https://practice.test/appointments/manage/")


# Minimum necessary in the office email.


def test_urgent_request_says_urgent_in_the_office_subject(appointment_request):
    notification = NotificationFactory(appointment_request=appointment_request)

    services.notification_send(notification_id=notification.pk)

    [message] = mail.outbox
    assert message.subject == f"URGENT: new appointment request {appointment_request.reference}"
    html, _ = message.alternatives[0]
    for body in (message.body, html):
        assert "emergency symptom" in body
        assert "weakness" not in body
        assert "fusion" not in body
        assert "St Example Hospital" not in body


def test_office_email_carries_clinical_text_only_when_the_setting_says_so(
    appointment_request, settings
):
    settings.OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT = True
    notification = NotificationFactory(appointment_request=appointment_request)

    services.notification_send(notification_id=notification.pk)

    [message] = mail.outbox
    html, _ = message.alternatives[0]
    for body in (message.body, html):
        assert "Leg weakness that is getting worse quickly" in body
        assert "St Example Hospital" in body
        assert "fusion at L4-L5" in body
    assert "weakness" not in message.subject
