"""The form's page is rendered once and kept (appointments/form_page_cache.py): each patient
gets it byte for byte as rendered, with a CSRF token, submission key and stamp of their own,
and any change to what it shows, by staff, a booking or the clock, shows at once."""

import re
from datetime import time, timedelta

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.booking import ASK_THE_OFFICE
from appointments.models import Appointment, AppointmentRequest
from tests.factories import (
    AppointmentFactory,
    ClinicSessionFactory,
    LocationFactory,
    SurgeonFactory,
    VisitTypeFactory,
)
from tests.support.environment import redis_cache
from tests.support.forms import appointment_answers
from tests.support.schedule import MONDAY, local

pytestmark = pytest.mark.django_db

FORM_URL = reverse("appointments:request")
OWN_VALUES = re.compile(r'name="(csrfmiddlewaretoken|submission_key|shown_at)" value="([^"]*)"')


@pytest.fixture(autouse=True)
def a_week_before(time_machine):
    time_machine.move_to(local(MONDAY - timedelta(days=7), 12), tick=False)


@pytest.fixture
def clinic(practice, condition):
    """Mondays 9:00 to 10:00 at the Downtown clinic: follow-ups, booked online, and first
    consultations, which the office arranges."""
    follow_up = VisitTypeFactory(name="Follow-up visit", slug="follow-up")
    first = VisitTypeFactory(name="First consultation", slug="first", is_bookable_online=False)
    return ClinicSessionFactory(
        visit_types=[follow_up, first],
        location=LocationFactory(name="Downtown clinic"),
        surgeon=SurgeonFactory(name="Dr. Jane Example"),
        starts=time(9),
        ends=time(10),
        valid_from=MONDAY - timedelta(days=7),
    )


def start(hour, minute, location):
    """What the form posts for Monday's open time at `hour`:`minute`."""
    return f"{local(MONDAY, hour, minute).isoformat()}|{location.pk}"


def time_value(hour, minute, location):
    return f'value="{start(hour, minute, location)}"'


def own_values(page):
    return dict(OWN_VALUES.findall(page))


def without_own_values(page):
    return OWN_VALUES.sub(r'name="\1" value=""', page)


def queries_for(client, url):
    """The page at `url`, and the number of queries it took."""
    response, queries = response_and_queries(client, url)
    return response.text, queries


def response_and_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?condition=revision-spine-surgery",
        "?visit_type=follow-up",
        f"?visit_type=follow-up&week={MONDAY + timedelta(days=7)}&condition=revision-spine-surgery",
        "?visit_type=first",
        f"?visit_type={ASK_THE_OFFICE}",
    ],
)
def test_the_next_patient_gets_the_same_page_with_their_own_token_key_and_stamp(clinic, query):
    first, queries = response_and_queries(Client(), FORM_URL + query)
    assert queries > 1  # rendered, and kept

    second, queries = response_and_queries(Client(), FORM_URL + query)

    assert queries == 1  # from the shared cache, once the database has answered
    assert without_own_values(second.text) == without_own_values(first.text)
    assert second.headers == first.headers
    assert second.cookies.keys() == first.cookies.keys() == {"csrftoken"}
    mine, theirs = own_values(first.text), own_values(second.text)
    assert mine.keys() == theirs.keys() == {"csrfmiddlewaretoken", "submission_key", "shown_at"}
    assert all(mine[name] != theirs[name] for name in mine)


def test_a_kept_page_is_sent_and_books_the_time(clinic, condition):
    Client().get(f"{FORM_URL}?visit_type=follow-up")  # rendered, and kept
    patient = Client(enforce_csrf_checks=True)
    page = patient.get(f"{FORM_URL}?visit_type=follow-up").text
    answers = appointment_answers(condition.slug)
    for name in ["patient_type", "visit_kind", "preferred_date", "preferred_time"]:
        answers.pop(name)
    answers |= own_values(page) | {"start": start(9, 20, clinic.location)}

    response = patient.post(f"{FORM_URL}?visit_type=follow-up&week={MONDAY}", answers)

    assert response.status_code == 302
    assert Appointment.objects.get().starts_at == local(MONDAY, 9, 20)
    request = AppointmentRequest.objects.get()
    assert str(request.submission_key) == own_values(page)["submission_key"]


def test_a_renamed_condition_shows_at_once(client, clinic, condition):
    client.get(FORM_URL)
    condition.title = "Failed back surgery"
    condition.save()

    page = client.get(FORM_URL).text

    assert "Failed back surgery" in page


def test_a_time_booked_leaves_the_page_at_once(client, clinic):
    url = f"{FORM_URL}?visit_type=follow-up"
    assert time_value(9, 20, clinic.location) in client.get(url).text

    AppointmentFactory(
        location=clinic.location,
        surgeon=clinic.surgeon,
        starts_at=local(MONDAY, 9, 20),
        ends_at=local(MONDAY, 9, 40),
    )

    page = client.get(url).text
    assert time_value(9, 20, clinic.location) not in page
    assert time_value(9, 40, clinic.location) in page


def test_a_time_leaves_the_page_when_it_comes_inside_the_booking_notice(
    client, clinic, time_machine
):
    time_machine.move_to(local(MONDAY - timedelta(days=1), 8), tick=False)
    url = f"{FORM_URL}?visit_type=follow-up"
    assert time_value(9, 0, clinic.location) in client.get(url).text
    assert time_value(9, 0, clinic.location) in client.get(url).text

    # 24 hours before the first time, the same day: only the clock has moved.
    time_machine.move_to(local(MONDAY - timedelta(days=1), 9, 1), tick=False)

    page = client.get(url).text
    assert time_value(9, 0, clinic.location) not in page
    assert time_value(9, 20, clinic.location) in page


def test_midnight_moves_the_first_date_a_patient_may_ask_for(client, clinic, time_machine):
    today = MONDAY - timedelta(days=7)
    assert f'min="{today + timedelta(days=1)}"' in client.get(FORM_URL).text

    time_machine.move_to(local(today + timedelta(days=1), 0, 1), tick=False)

    assert f'min="{today + timedelta(days=2)}"' in client.get(FORM_URL).text


@pytest.mark.parametrize(
    "query",
    [
        "?condition=made-up",
        "?visit_type=made-up",
        "?week=2027-02-01",  # a week, but no visit type
        "?visit_type=follow-up&week=1999-01-04",  # shown as this week: not its address
        "?visit_type=follow-up&week=2027-02-03",  # a Wednesday
        "?visit_type=follow-up&week=not-a-date",
    ],
)
def test_an_address_the_page_does_not_offer_is_rendered_each_time_and_never_kept(clinic, query):
    for _ in range(2):
        _, queries = queries_for(Client(), FORM_URL + query)
        assert queries > 1


def test_a_deploy_renders_the_page_afresh(client, clinic):
    client.get(FORM_URL)
    assert queries_for(client, FORM_URL)[1] == 1

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert queries_for(client, FORM_URL)[1] > 1


def test_the_form_is_shown_while_the_cache_is_down(client, clinic, settings):
    settings.CACHES = redis_cache(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )

    for _ in range(2):
        page = client.get(f"{FORM_URL}?visit_type=follow-up").text
        assert time_value(9, 0, clinic.location) in page
        assert own_values(page).keys() == {"csrfmiddlewaretoken", "submission_key", "shown_at"}
