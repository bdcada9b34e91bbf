"""The broker goes down: the patient is not told, the request waits in the outbox, and the
periodic sweep sends every email once the broker is back.

The test's own redis-server is the broker of the live server, of a Celery worker and of
Celery beat; the test stops it, and starts it again, empty, on the same port.
"""

import json
import re
import urllib.error
from collections import Counter

import pytest

from appointments.models import AppointmentRequest, Notification
from tests.factories import PracticeFactory
from tests.support.processes import wait_until
from tests.support.tasks import celery_publishing_to
from tests.support.web import Browserless

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def health(live_server):
    try:
        with Browserless(live_server.url).opener.open(live_server.url + "/healthz") as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def sweeps_sent(beat):
    return len(re.findall(r"Sending due task requeue-waiting-notifications", beat.log()))


def test_request_made_while_the_broker_is_down_is_emailed_once_it_is_back(
    live_server, redis_server, mail_server, celery_processes, valid_form_data
):
    PracticeFactory(office_recipients="office@practice.test")
    worker = celery_processes("worker", broker=redis_server, mail=mail_server)
    beat = celery_processes("beat", broker=redis_server, mail=mail_server)

    with celery_publishing_to(redis_server.url):
        redis_server.stop()
        # Still in service for the balancer; "degraded" for monitoring.
        assert health(live_server) == (
            200,
            {"database": "up", "cache": "up", "broker": "down", "status": "degraded"},
        )

        # The patient sends the form: the thanks page, as on any other day.
        landed_on, page = Browserless(live_server.url).submit("/appointments/", valid_form_data)

        appointment_request = AppointmentRequest.objects.get()
        assert landed_on == live_server.url + "/appointments/thanks/"
        assert f"Your reference is <strong>{appointment_request.reference}</strong>" in page
        rows = Notification.objects.filter(appointment_request=appointment_request)
        assert sorted(rows.values_list("kind", "status", "attempts")) == [
            ("office_notification", "pending", 0),
            ("patient_acknowledgment", "pending", 0),
        ]
        assert mail_server.messages == []

        # The broker comes back with nothing in it: the sweep queues both emails again.
        redis_server.start()
        assert health(live_server) == (
            200,
            {"database": "up", "cache": "up", "broker": "up", "status": "ok"},
        )
        assert wait_until(lambda: len(mail_server.messages) >= 2, timeout=60), (
            worker.log()[-3000:],
            beat.log()[-3000:],
        )
        assert wait_until(
            lambda: set(rows.values_list("status", flat=True)) == {"sent"}, timeout=10
        )

    # However often the sweep runs after that, nothing is sent twice.
    swept = sweeps_sent(beat)
    assert wait_until(lambda: sweeps_sent(beat) >= swept + 3, timeout=30), beat.log()[-3000:]
    messages = mail_server.messages
    assert len(messages) == 2
    assert Counter(message["Message-ID"] for message in messages) == {
        row.message_id: 1 for row in rows
    }
    assert Counter(message["To"] for message in messages) == {
        "office@practice.test": 1,
        valid_form_data["email"]: 1,
    }
    assert set(rows.values_list("attempts", flat=True)) == {1}
