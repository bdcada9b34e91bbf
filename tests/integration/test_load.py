"""200 patients send the form at once: every request saved, every email sent once.

The web side is gunicorn with two worker processes, as in production (Procfile), against
the test database; 20 clients post over HTTP at the same time, each loading the form
first for a fresh CSRF token, submission key and spam stamp, as a browser would. A Celery
worker with two pool processes (the Procfile's default) sends to an SMTP server on loopback.
"""

import re
import threading
import time
from collections import Counter

import pytest

from appointments.models import AppointmentRequest, Notification
from tests.factories import PracticeFactory
from tests.support.processes import wait_until
from tests.support.web import Browserless

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLIENTS = 20
REQUESTS = 200
REFERENCE = re.compile(r"Your reference is <strong>([^<]+)</strong>")
SUBJECTS = {
    "office": re.compile(r"^(?:URGENT: )?New appointment request (\S+)$"),
    "acknowledgment": re.compile(r"^We have your appointment request \((\S+)\)$"),
}


def test_200_requests_at_once_are_all_saved_and_emailed_once(
    web_server, redis_server, mail_server, celery_processes, valid_form_data, capsys
):
    PracticeFactory(office_recipients="office@practice.test")
    celery_processes("worker", broker=redis_server, mail=mail_server, concurrency=2)
    # Each patient posts the submission key and stamp of the page they loaded.
    hidden = {"submission_key", "shown_at"}
    answers = {key: value for key, value in valid_form_data.items() if key not in hidden}
    results = []
    errors = []

    def client(number):
        for n in range(number, REQUESTS, CLIENTS):
            fields = answers | {"full_name": f"Patient {n}", "email": f"patient{n}@load.test"}
            try:
                patient = Browserless(web_server.url, timeout=30)
                results.append(patient.submit("/appointments/", fields))
            except Exception as error:  # a refused connection, a 5xx, a timeout
                errors.append(f"{type(error).__name__}: {error}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    answered = time.monotonic() - started
    all_sent = wait_until(lambda: len(mail_server.messages) >= 2 * REQUESTS, timeout=120)
    delivered = time.monotonic() - started

    # Every patient saw the thanks page with a reference of their own.
    assert errors == []
    assert len(results) == REQUESTS
    assert Counter(url for url, _ in results) == {
        web_server.url + "/appointments/thanks/": REQUESTS
    }
    shown = [REFERENCE.search(page)[1] for _, page in results]
    assert len(set(shown)) == REQUESTS
    assert set(AppointmentRequest.objects.values_list("reference", flat=True)) == set(shown)
    assert AppointmentRequest.objects.count() == REQUESTS

    # 400 emails, no duplicate: by Message-ID, and by request and kind. Every row is sent
    # after one claim (attempts 1, below), and a send needs a claim: no copy is on its way.
    assert all_sent, f"{len(mail_server.messages)} emails arrived"
    assert wait_until(
        lambda: set(Notification.objects.values_list("status", flat=True)) == {"sent"}, timeout=30
    )
    messages = mail_server.messages
    by_message_id = Counter(message["Message-ID"] for message in messages)
    by_request_and_kind = Counter(
        (found[1], kind)
        for message in messages
        for kind, subject in SUBJECTS.items()
        if (found := subject.match(message["Subject"]))
    )
    duplicates = sum(count - 1 for count in by_message_id.values())
    assert len(messages) == 2 * REQUESTS
    assert duplicates == 0
    assert set(by_message_id) == {row.message_id for row in Notification.objects.all()}
    assert by_request_and_kind == {(reference, kind): 1 for reference in shown for kind in SUBJECTS}
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}

    with capsys.disabled():
        print(
            f"\nLoad: {REQUESTS} requests from {CLIENTS} clients to gunicorn (2 workers) "
            f"answered in {answered:.1f} s ({REQUESTS / answered:.0f} requests/s); "
            f"{len(messages)} emails, {duplicates} duplicates, all delivered "
            f"{delivered:.1f} s after the first request."
        )
