"""Thirty patients book the same open time at the same moment, over HTTP to the live
server on PostgreSQL: one gets it; the others are told it has gone, with their answers
kept and the next open times, and nothing of theirs is saved or emailed."""

import http.client
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from appointments import services
from appointments.booking import open_time_value
from appointments.models import Appointment, AppointmentRequest, Notification
from tests.factories import ClinicSessionFactory, PracticeFactory, VisitTypeFactory
from tests.support.environment import require
from tests.support.forms import appointment_answers, fresh_submission
from tests.support.web import Browserless

pytestmark = pytest.mark.django_db(transaction=True)

PATIENTS = 30


@pytest.fixture
def open_time(condition):
    """The first open time of a follow-up visit, in a session three days from now."""
    require(connection.vendor == "postgresql", "the race is decided by PostgreSQL")
    PracticeFactory()
    visit_type = VisitTypeFactory(name="Follow-up visit", slug="follow-up")
    ClinicSessionFactory(
        visit_types=[visit_type],
        weekday=(timezone.localdate() + timedelta(days=3)).weekday(),
        starts=time(9),
        ends=time(12),
    )
    return services.open_times_find(visit_type=visit_type, first_day=timezone.localdate(), days=7)[
        0
    ]


def answers(number, condition_slug):
    fields = appointment_answers(condition_slug)
    for name in ["patient_type", "visit_kind", "preferred_date", "preferred_time"]:
        fields.pop(name)
    return fields | {"full_name": f"Patient {number}", "email": f"patient{number}@example.test"}


def cookies_of(browser):
    processor = next(
        handler
        for handler in browser.opener.handlers
        if isinstance(handler, urllib.request.HTTPCookieProcessor)
    )
    return list(processor.cookiejar)


def test_thirty_patients_booking_one_time_at_once_leaves_one_booked(
    live_server, open_time, condition
):
    path = "/appointments/?visit_type=follow-up"
    ready = threading.Barrier(PATIENTS)
    # Read here: the patients' threads use no database connection of their own.
    everyones_answers = [
        answers(number, condition.slug) | fresh_submission(seconds_ago=60)
        for number in range(PATIENTS)
    ]

    def patient(number):
        browser = Browserless(live_server.url, timeout=60)
        fields = everyones_answers[number]
        body = browser.fill(path, fields | {"start": open_time_value(open_time)})
        # Connected before the barrier: thirty connections at once would overflow the
        # live server's listen queue, and the test would measure that instead.
        server = urllib.parse.urlsplit(live_server.url)
        connection = http.client.HTTPConnection(server.hostname, server.port, timeout=60)
        connection.connect()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": live_server.url + path,
            "Cookie": "; ".join(f"{c.name}={c.value}" for c in cookies_of(browser)),
        }
        ready.wait(timeout=60)  # every patient has the page; all send at once
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        connection.close()
        return number, response.getheader("Location") or path, page

    with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
        results = list(pool.map(patient, range(PATIENTS)))

    booked = [result for result in results if result[1] == "/appointments/thanks/"]
    assert len(booked) == 1
    winner = booked[0][0]
    appointment = Appointment.objects.get()
    assert appointment.starts_at == open_time.start
    assert appointment.appointment_request.full_name == f"Patient {winner}"
    assert AppointmentRequest.objects.count() == 1
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        Notification.Kind.CONFIRMATION,
        Notification.Kind.OFFICE,
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [f"patient{winner}@example.test", "office@practice.test"]
    )
    taken = open_time_value(open_time)
    following = services.open_times_find(
        visit_type=open_time.visit_type, first_day=timezone.localdate(), days=7
    )[0]
    for number, landed_on, page in results:
        if number == winner:
            continue
        assert landed_on == path
        assert "That time has just gone" in page
        assert f'value="Patient {number}"' in page
        assert f'value="{taken}"' not in page
        assert f'value="{open_time_value(following)}"' in page
