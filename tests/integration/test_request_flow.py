"""A patient's request, end to end over real processes.

The form is posted over HTTP to the live server; a Celery worker process takes the
tasks from Redis and sends both emails to an SMTP server on loopback.
"""

import pytest

from appointments.models import AppointmentRequest, Notification
from tests.factories import PracticeFactory
from tests.support.processes import wait_until
from tests.support.web import Browserless

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_request_reaches_the_office_and_the_patient_by_email(
    live_server, celery_worker, mailbox, valid_form_data
):
    PracticeFactory(
        name="Test Spine Practice",
        phone="+1 555 0123",
        email="hello@practice.test",
        office_recipients="office@practice.test, manager@practice.test",
    )
    patient = Browserless(live_server.url)

    landed_on, page = patient.submit(
        "/appointments/?condition=revision-spine-surgery", valid_form_data
    )

    appointment_request = AppointmentRequest.objects.get()
    reference = appointment_request.reference
    assert landed_on == live_server.url + "/appointments/thanks/"
    assert f"Your reference is <strong>{reference}</strong>" in page

    messages = mailbox.wait_for(2, timeout=60)
    assert len(messages) == 2, celery_worker.log_path.read_text()
    by_recipient = {message["To"]: message for message in messages}
    office = by_recipient["office@practice.test, manager@practice.test"]
    acknowledgment = by_recipient["ana@patient.test"]

    assert office["Subject"] == f"New appointment request {reference}"
    assert office["Reply-To"] == "ana@patient.test"
    office_text = office.get_body(("plain",)).get_content()
    office_html = office.get_body(("html",)).get_content()
    admin_link = (
        f"https://practice.test/admin/appointments/appointmentrequest/"
        f"{appointment_request.pk}/change/"
    )
    for body in (office_text, office_html):
        assert admin_link in body
        assert "Ana María Núñez" in body
        assert "+1 201-555-0199" in body
        assert "Revision spine surgery" in body
        assert "fusion" not in body

    assert acknowledgment["Subject"] == f"We have your appointment request ({reference})"
    assert acknowledgment["Reply-To"] == "hello@practice.test"
    for part in ("plain", "html"):
        body = acknowledgment.get_body((part,)).get_content()
        assert reference in body
        assert "+1 555 0123" in body
        assert "Revision spine surgery" not in body
        assert "fusion" not in body

    assert wait_until(
        lambda: set(Notification.objects.values_list("status", flat=True)) == {"sent"},
        timeout=10,
    )
    for notification in Notification.objects.all():
        assert notification.sent_at is not None
        assert notification.attempts == 1
