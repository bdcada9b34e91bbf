"""The office's whole loop on the real stack: request, schedule, confirm, remind, cancel.

PostgreSQL, a Celery worker and Celery beat as processes of their own on Redis, an SMTP
server on loopback, the live server over HTTP, and Chromium for the staff member.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from appointments import services
from appointments.models import Appointment, AppointmentRequest, Notification
from practice.models import Weekday
from tests.factories import (
    AppointmentRequestFactory,
    LocationFactory,
    OpeningHoursFactory,
    PracticeFactory,
    UserFactory,
)
from tests.support.processes import wait_until
from tests.support.staff import log_in_through_the_pages
from tests.support.web import Browserless

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRACTICE_ZONE = ZoneInfo("America/New_York")
CLINICAL_WORDS = ["fusion", "St Example Hospital", "weakness", "numbness", "bladder"]


@pytest.fixture
def practice_with_a_clinic():
    PracticeFactory(phone="+1 555 0123", office_recipients="office@practice.test")
    clinic = LocationFactory(name="Northside clinic", street_address="12 Harbor Road")
    for weekday in Weekday:
        OpeningHoursFactory(location=clinic, weekday=weekday)
    return clinic


def tomorrow_at(hour):
    day = timezone.localdate() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=PRACTICE_ZONE)


def with_subject(mailbox, start):
    return [message for message in mailbox.messages if message["Subject"].startswith(start)]


def what_happened(mailbox, appointment_request):
    """For a failure's message: the emails, the outbox, the appointments and the history."""
    return {
        "emails": [message["Subject"] for message in mailbox.messages],
        "outbox": list(Notification.objects.values_list("pk", "kind", "status", "appointment")),
        "appointments": list(Appointment.objects.values_list("pk", "starts_at", "status")),
        "history": [
            (str(step), step.detail, step.changed_by_id)
            for step in appointment_request.status_changes.all()
        ],
    }


def text_of(message):
    return message.get_body(("plain",)).get_content()


def sweeps_done(worker):
    return len(re.findall(r"queue_due_reminders\[\S+\] succeeded", worker.log()))


def wait_for_sweeps(worker, count):
    """Wait until beat has had the worker run the reminder sweep `count` more times."""
    target = sweeps_done(worker) + count
    assert wait_until(lambda: sweeps_done(worker) >= target, timeout=30), worker.log()[-3000:]


def schedule_in_the_admin(page, live_server, staff, appointment_request, starts_at):
    log_in_through_the_pages(page, live_server.url, staff, "office-password")
    page.goto(live_server.url + appointment_request.get_admin_url())
    page.get_by_label("Status").select_option(label="Scheduled")
    page.get_by_label("Appointment date").fill(starts_at.strftime("%Y-%m-%d"))
    page.get_by_label("Appointment time").fill(starts_at.strftime("%H:%M"))
    page.get_by_label("Appointment location").select_option(label="Northside clinic")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_selector(".messagelist")


def test_urgent_request_to_scheduled_reminded_and_cancelled(
    live_server,
    celery_worker,
    celery_beat,
    mailbox,
    valid_form_data,
    practice_with_a_clinic,
    desktop_page,
):
    # A patient with a prior operation ticks an emergency symptom and sends the form.
    patient = Browserless(live_server.url)
    patient.submit(
        "/appointments/",
        valid_form_data
        | {
            "had_spine_surgery": "yes",
            "surgery_year": "2021",
            "surgery_place": "St Example Hospital",
            "red_flags": "leg_weakness",
        },
    )
    appointment_request = AppointmentRequest.objects.get()
    reference = appointment_request.reference
    assert appointment_request.is_urgent

    # The office email says urgent, and carries no clinical text.
    mailbox.wait_for(2, timeout=60)
    [office] = with_subject(mailbox, "URGENT")
    assert office["Subject"] == f"URGENT: new appointment request {reference}"
    for part in ("plain", "html"):
        body = office.get_body((part,)).get_content()
        for word in CLINICAL_WORDS:
            assert word not in body

    # Staff move the request to scheduled in the admin, for tomorrow at 10:00.
    staff = UserFactory(username="olive")
    staff.set_password("office-password")
    staff.save()
    staff.groups.add(staff.groups.model.objects.get(name="Office staff"))
    starts_at = tomorrow_at(10)
    schedule_in_the_admin(desktop_page, live_server, staff, appointment_request, starts_at)
    appointment = Appointment.objects.get()
    assert appointment.starts_at == starts_at

    # The confirmation arrives with a calendar file at the right time in the practice's zone.
    assert wait_until(lambda: with_subject(mailbox, "Your appointment"), timeout=30)
    confirmations = with_subject(mailbox, "Your appointment")
    assert len(confirmations) == 1, what_happened(mailbox, appointment_request)
    [confirmation] = confirmations
    assert confirmation["To"] == valid_form_data["email"]
    [calendar_file] = [
        part for part in confirmation.iter_attachments() if part.get_filename() == "appointment.ics"
    ]
    [event] = Calendar.from_ical(calendar_file.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == starts_at
    assert event.decoded("dtstart").tzinfo.key == "America/New_York"
    assert "10:00 AM" in text_of(confirmation)

    # The reminder arrives, once, however many times beat runs the sweep.
    assert wait_until(lambda: with_subject(mailbox, "Reminder"), timeout=30), what_happened(
        mailbox, appointment_request
    )
    wait_for_sweeps(celery_worker, 3)
    [reminder] = with_subject(mailbox, "Reminder")
    assert reminder["Subject"] == (
        f"Reminder: your appointment tomorrow, {starts_at:%a, %b} {starts_at.day}, at 10:00 AM "
        f"({reference})"
    )

    # The patient cancels through the link in the confirmation; the office is told.
    path = re.search(r"https://practice\.test(/appointments/manage/\S+/)", text_of(confirmation))[1]
    _, page = patient.submit(path, {"action": "cancel"})
    assert "Your appointment is cancelled" in page
    assert wait_until(lambda: with_subject(mailbox, "Cancelled by the patient"), timeout=30)
    # The patient gets the calendar file that takes it out of their calendar.
    assert wait_until(lambda: len(with_subject(mailbox, "Your appointment")) == 2, timeout=30)
    cancellation = with_subject(mailbox, "Your appointment")[-1]
    assert cancellation["Subject"].startswith(
        f"Your appointment on {starts_at:%a, %b} {starts_at.day} at 10:00 AM is cancelled"
    )

    # No reminder follows.
    wait_for_sweeps(celery_worker, 3)
    assert len(with_subject(mailbox, "Reminder")) == 1
    assert len(with_subject(mailbox, "Your appointment")) == 2
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_beat_reminds_the_new_time_only_and_never_a_cancelled_one(
    request, celery_worker, mailbox, practice_with_a_clinic
):
    staff = UserFactory()
    moved = AppointmentRequestFactory(email="moved@patient.test")
    cancelled = AppointmentRequestFactory(email="cancelled@patient.test")
    for appointment_request in (moved, cancelled):
        services.appointment_book(
            appointment_request=appointment_request,
            starts_at=tomorrow_at(10),
            location=practice_with_a_clinic,
            by=staff,
        )
    services.appointment_book(
        appointment_request=moved,
        starts_at=tomorrow_at(15),
        location=practice_with_a_clinic,
        by=staff,
    )
    services.appointment_cancel_by_patient(appointment=cancelled.current_appointment())
    assert wait_until(
        lambda: not Notification.objects.filter(status=Notification.Status.PENDING).exists(),
        timeout=30,
    ), list(Notification.objects.values_list("kind", "status", "last_error"))

    request.getfixturevalue("celery_beat")
    wait_for_sweeps(celery_worker, 3)

    [reminder] = with_subject(mailbox, "Reminder")
    assert reminder["To"] == "moved@patient.test"
    assert "3:00 PM" in reminder["Subject"]
