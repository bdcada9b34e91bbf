"""Errors reach Sentry without a patient's data.

A real sentry-sdk client, set up by practice.error_reporting as production sets it up,
hands what it would send to a transport that keeps it in memory: nothing leaves the
process. A view and Celery tasks fail while holding a patient's details, and no form of
those details, nor the manage link's token, is found in anything sent; the type of the
error and the view or task it came from are.

Tasks run in process here, as in every test; Task.apply builds its tracer with
celery.app.trace.build_tracer, which the Celery integration wraps, so a task that fails
here is reported as one in a worker is.
"""

import json
import logging
import os
import subprocess
import sys
from urllib.parse import quote, quote_plus, urlencode, urlsplit

import pytest
import sentry_sdk
from celery import shared_task
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import IntegrityError, close_old_connections
from django.test import RequestFactory
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.transport import Transport

from appointments import services
from appointments.links import manage_url
from appointments.models import Appointment, Notification
from appointments.tasks import send_notification
from practice.error_reporting import init_error_reporting
from tests.factories import AppointmentRequestFactory, NotificationFactory

logger = logging.getLogger("appointments")

PATIENT = {
    "full_name": "Ana María Núñez",
    "email": "ana.nunez@patient.test",
    "phone": "(201) 555-0199",
    "surgery_place": "Springfield General Hospital",
    "message": "The pain came back a year after my fusion.",
}
E164_PHONE = "+12015550199"
MANAGE_LINK = manage_url(Appointment(pk=4217))
TOKEN = urlsplit(MANAGE_LINK).path.split("/")[-2]
SESSION_KEY = "q8v0rl2xk3m9yzt5wq7e1n4b6c8d0f2h"
CLIENT_ADDRESS = "203.0.113.9"

# Every form in which the patient's details might be written: as typed, as stored, in a
# form body or query string, in JSON's escapes.
SECRETS = [
    *PATIENT.values(),
    "María",
    "Núñez",
    "ana.nunez",
    E164_PHONE,
    "2015550199",
    "201-555-0199",
    "201 555 0199",
    "555-0199",
    "5550199",
    "fusion",
    "Springfield",
    TOKEN,
    TOKEN.split(":")[1],
    SESSION_KEY,
    CLIENT_ADDRESS,
]
SECRETS += [quote_plus(secret) for secret in SECRETS] + [quote(secret) for secret in SECRETS]
SECRETS += [json.dumps(secret)[1:-1] for secret in SECRETS]


@csrf_exempt
def book_appointment(request):
    """Fails as a bug in the form's handling would, with the patient's answers to hand."""
    answers = request.POST.dict()
    raise IntegrityError(
        "duplicate key value violates unique constraint\n"
        f"DETAIL:  Key (email)=({answers['email']}) already exists."
    )


def manage_appointment(request, token):
    """Fails as a bug behind the manage link would, after a careless log line."""
    logger.warning("Manage link %s followed.", request.get_full_path())
    appointment = None
    return appointment.starts_at


urlpatterns = [
    path("appointments/", book_appointment),
    path("appointments/manage/<str:token>/", manage_appointment),
]


@shared_task(name="tests.remind_patient")
def remind_patient(full_name, email, phone, **answers):
    """A task given the patient's details, as none of the site's tasks is."""
    raise ValueError(f"No reminder for {full_name} <{email}> on {phone}: {answers}")


class MemoryTransport(Transport):
    """Keeps each envelope the client would send."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def sentry(monkeypatch):
    """The practice's Sentry client, sending into memory; gone after the test."""
    monkeypatch.setenv("SENTRY_RELEASE", "practice@test")
    assert not sentry_sdk.get_client().is_active()
    init_error_reporting("https://public@sentry.invalid/1", transport=MemoryTransport)
    yield sentry_sdk.get_client().transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def sent(transport):
    """The events sent, and the text of everything sent (events, sessions, reports)."""
    sentry_sdk.flush()
    events, texts = [], []
    for envelope in transport.envelopes:
        texts.append(envelope.serialize().decode())
        for item in envelope.items:
            payload = item.payload.json
            texts.append(json.dumps(payload, ensure_ascii=False))
            if item.type == "event":
                events.append(payload)
    return events, "\n".join(texts).lower()


def assert_nothing_of_the_patients(text):
    found = [secret for secret in SECRETS if secret.lower() in text]
    assert not found, found


def serve(method, address, **request):
    """The site's answer to a request handed to it as gunicorn hands one.

    Built by Django's RequestFactory, as the test client builds it, but passed to the WSGI
    handler, which the test client skips: sentry-sdk reads the request's address, headers
    and query string where it wraps that handler.
    """
    factory = RequestFactory()
    factory.cookies["sessionid"] = SESSION_KEY
    environ = getattr(factory, method)(
        address,
        headers={"referer": MANAGE_LINK, "x-forwarded-for": CLIENT_ADDRESS},
        REMOTE_ADDR=CLIENT_ADDRESS,
        **request,
    ).environ
    statuses = []
    # As in the test client, the database connection is the test's: the request leaves it be.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, *args: statuses.append(status))
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return statuses[0]


def frames(event):
    return [
        frame["function"]
        for exception in event["exception"]["values"]
        for frame in exception["stacktrace"]["frames"]
    ]


@pytest.mark.urls(__name__)
def test_a_failing_form_post_is_reported_without_the_patients_answers(sentry):
    status = serve(
        "post",
        "/appointments/",
        data=urlencode(PATIENT),
        content_type="application/x-www-form-urlencoded",
        query_params={"email": PATIENT["email"]},
    )

    assert status.startswith("500")
    events, text = sent(sentry)
    [event] = events
    assert event["exception"]["values"][-1]["type"] == "IntegrityError"
    assert event["exception"]["values"][-1]["value"] == "[Filtered]"
    assert "book_appointment" in frames(event)
    assert event["transaction"] == "/appointments/"
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"] == "http://testserver/appointments/"
    assert event["request"]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert "user" not in event
    assert_nothing_of_the_patients(text)


@pytest.mark.urls(__name__)
def test_a_failing_manage_link_is_reported_without_its_token(sentry):
    status = serve("get", urlsplit(MANAGE_LINK).path, query_params={"done": "cancel"})

    assert status.startswith("500")
    events, text = sent(sentry)
    [event] = events
    assert event["exception"]["values"][-1]["type"] == "AttributeError"
    assert event["exception"]["values"][-1]["value"] == (
        "'NoneType' object has no attribute 'starts_at'"
    )
    assert "manage_appointment" in frames(event)
    assert event["transaction"] == "/appointments/manage/{token}/"
    assert event["request"]["url"] == "http://testserver/appointments/manage/[Filtered]/"
    assert "Manage link /appointments/manage/[Filtered]/" in json.dumps(event["breadcrumbs"])
    assert_nothing_of_the_patients(text)


@pytest.mark.django_db
def test_a_failing_email_task_is_reported_without_the_patients_details(sentry, monkeypatch):
    notification = NotificationFactory(
        appointment_request=AppointmentRequestFactory(
            **(PATIENT | {"phone": E164_PHONE}), had_spine_surgery=True
        )
    )

    def fail_to_send(*, notification_id):
        appointment_request = Notification.objects.get(pk=notification_id).appointment_request
        raise IntegrityError(f"Key (email)=({appointment_request.email}) already exists.")

    monkeypatch.setattr(services, "notification_send", fail_to_send)

    send_notification.delay(notification.pk)

    events, text = sent(sentry)
    [event] = events
    assert event["exception"]["values"][-1]["type"] == "IntegrityError"
    assert event["exception"]["values"][-1]["value"] == "[Filtered]"
    assert "fail_to_send" in frames(event)
    assert event["transaction"] == "appointments.send_notification"
    assert event["extra"]["celery-job"] == {"task_name": "appointments.send_notification"}
    assert_nothing_of_the_patients(text)


def test_a_failing_task_given_the_patients_details_is_reported_without_them(sentry):
    remind_patient.delay(**(PATIENT | {"phone": E164_PHONE}))

    events, text = sent(sentry)
    [event] = events
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["exception"]["values"][-1]["value"] == "[Filtered]"
    assert event["extra"]["celery-job"] == {"task_name": "tests.remind_patient"}
    assert_nothing_of_the_patients(text)


def test_the_site_reports_only_when_sentry_dsn_is_set():
    show = (
        "import django, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options['send_default_pii'], c.options['traces_sample_rate'])"
    )

    def started_with(dsn):
        environment = os.environ | {
            "DJANGO_SETTINGS_MODULE": "practice.settings",
            "DJANGO_DEBUG": "true",
            "SENTRY_DSN": dsn,
        }
        return subprocess.run(
            [sys.executable, "-c", show],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()

    assert started_with("") == ["False", "None", "None"]
    assert started_with("https://public@sentry.invalid/1") == ["True", "False", "None"]
