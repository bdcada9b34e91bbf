"""No log line names a patient: not the web process's, not the Celery worker's."""

import logging

import pytest

from appointments.models import Notification
from tests.factories import PracticeFactory
from tests.support.processes import wait_until
from tests.support.web import Browserless

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PATIENT = {
    "full_name": "Zofia Quillfeather",
    "email": "zofia.quill@patient.test",
    "phone": "(201) 555-0177",
    "message": "Numb fingers since my cervical fusion.",
    "surgery_place": "Lakeside Memorial",
    "referring_doctor": "Dr. Hollowmere",
}
# Every way the details could be written: as typed, as stored, as shown.
TRACES = [
    "Zofia",
    "Quillfeather",
    "zofia.quill",
    "555-0177",
    "5550177",
    "Numb fingers",
    "cervical fusion",
    "Lakeside",
    "Hollowmere",
]


def test_a_request_leaves_no_patient_detail_in_any_log(
    live_server, celery_worker, mailbox, valid_form_data, caplog
):
    PracticeFactory(office_recipients="office@practice.test")
    caplog.set_level(logging.DEBUG)
    log_before = celery_worker.log()

    Browserless(live_server.url).submit("/appointments/", valid_form_data | PATIENT)

    assert mailbox.wait_for(2, timeout=60)
    assert wait_until(
        lambda: set(Notification.objects.values_list("status", flat=True)) == {"sent"},
        timeout=20,
    )
    worker_lines = celery_worker.log()[len(log_before) :]
    assert "send_notification" in worker_lines  # the worker's log was captured
    web_lines = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        # The test's own SMTP server (aiosmtpd) logs what it receives; it is not the site.
        if not record.name.startswith("mail.log")
    )
    for trace in TRACES:
        assert trace not in worker_lines, trace
        assert trace not in web_lines, trace
