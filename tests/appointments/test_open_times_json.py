"""The open times as JSON for the practice's other sites: what may be asked, the times,
kept in the cache but never stale, any origin's, and a clear 400 for bad input."""

import os
from datetime import date, time, timedelta

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from appointments import services
from appointments.open_times_cache import VERSION_KEY
from tests.factories import (
    AppointmentRequestFactory,
    ClinicSessionFactory,
    LocationFactory,
    SurgeonFactory,
    VisitTypeFactory,
)
from tests.support.environment import redis_cache, require
from tests.support.schedule import MONDAY, busy_diaries, local

pytestmark = pytest.mark.django_db

URL = "/appointments/open-times.json"


@pytest.fixture(autouse=True)
def a_week_before(time_machine):
    """Noon, practice time, a week before MONDAY."""
    time_machine.move_to(local(MONDAY - timedelta(days=7), 12), tick=False)


@pytest.fixture(autouse=True)
def forget_kept_open_times():
    """Redis outlives each test's rolled-back database."""
    cache.delete(VERSION_KEY)


@pytest.fixture
def session():
    """Mondays 9:00 to 10:00 from MONDAY at the Downtown clinic, with Dr Ada Example,
    for 20-minute follow-ups."""
    return ClinicSessionFactory(
        surgeon=SurgeonFactory(name="Dr Ada Example"),
        location=LocationFactory(name="Downtown clinic"),
        starts=time(9),
        ends=time(10),
        valid_from=MONDAY,
        visit_types=[VisitTypeFactory(name="Follow-up visit", slug="follow-up")],
    )


def starts(response):
    return [open_time["start"] for open_time in response.json()["open_times"]]


def test_without_parameters_it_lists_what_may_be_booked_online_and_where(client, session):
    VisitTypeFactory(name="New patient visit", slug="new-patient", is_bookable_online=False)
    LocationFactory(name="A location with no sessions")

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "visit_types": [{"slug": "follow-up", "name": "Follow-up visit"}],
        "locations": [{"id": session.location.pk, "name": "Downtown clinic"}],
    }


def test_a_visit_types_open_times_say_when_where_with_whom_and_what(client, session):
    response = client.get(URL, {"visit_type": "follow-up"})

    assert response.status_code == 200
    data = response.json()
    assert data["visit_type"] == {"slug": "follow-up", "name": "Follow-up visit"}
    assert (data["from"], data["days"], data["location"]) == ("2027-01-25", 14, None)
    assert data["open_times"][0] == {
        "start": "2027-02-01T09:00:00-05:00",
        "end": "2027-02-01T09:20:00-05:00",
        "location": session.location.pk,
        "surgeon": "Dr Ada Example",
        "visit_type": "follow-up",
    }
    # Two weeks from today: MONDAY's session, not the next.
    assert starts(response) == [f"2027-02-01T09:{minute:02}:00-05:00" for minute in (0, 20, 40)]


def test_a_location_and_a_first_day_narrow_the_list(client, session):
    ClinicSessionFactory(
        location=LocationFactory(), valid_from=MONDAY, visit_types=[session.visit_types.get()]
    )

    response = client.get(
        URL,
        {"visit_type": "follow-up", "location": session.location.pk, "from": "2027-02-02"},
    )

    assert response.status_code == 200
    assert {open_time["location"] for open_time in response.json()["open_times"]} == {
        session.location.pk
    }
    assert starts(response)[0] == "2027-02-08T09:00:00-05:00"


def test_a_time_after_the_clocks_change_carries_its_new_offset(client, session):
    # The clocks go forward on Sunday, March 14, 2027 (America/New_York).
    response = client.get(URL, {"visit_type": "follow-up", "from": "2027-03-08", "days": 8})

    assert starts(response) == [
        "2027-03-08T09:00:00-05:00",
        "2027-03-08T09:20:00-05:00",
        "2027-03-08T09:40:00-05:00",
        "2027-03-15T09:00:00-04:00",
        "2027-03-15T09:20:00-04:00",
        "2027-03-15T09:40:00-04:00",
    ]


def test_the_list_stops_at_the_booking_horizon(client, session, settings):
    settings.APPOINTMENT_HORIZON_DAYS = 14

    response = client.get(URL, {"visit_type": "follow-up", "from": "2027-02-01", "days": 60})

    assert response.json()["days"] == 8
    assert starts(response)[-1] == "2027-02-08T09:40:00-05:00"


def test_a_time_booked_goes_at_once_from_the_kept_answer_and_comes_back_when_freed(
    client, session, django_assert_max_num_queries
):
    query = {"visit_type": "follow-up"}
    client.get(URL, query)
    with django_assert_max_num_queries(0):
        assert "2027-02-01T09:20:00-05:00" in starts(client.get(URL, query))

    appointment = services.appointment_book(
        appointment_request=AppointmentRequestFactory(),
        starts_at=local(MONDAY, 9, 20),
        location=session.location,
        by=None,
        surgeon=session.surgeon,
        visit_type=session.visit_types.get(),
    )
    booked = client.get(URL, query)
    services.appointment_cancel_by_patient(appointment=appointment)
    freed = client.get(URL, query)

    assert "2027-02-01T09:20:00-05:00" not in starts(booked)
    assert "2027-02-01T09:00:00-05:00" in starts(booked)
    assert "2027-02-01T09:20:00-05:00" in starts(freed)


def test_a_time_coming_inside_the_booking_notice_goes_as_the_clock_moves(
    client, session, settings, time_machine
):
    settings.BOOKING_MIN_NOTICE_HOURS = 24
    query = {"visit_type": "follow-up"}
    time_machine.move_to(local(MONDAY - timedelta(days=1), 9, 10), tick=False)
    assert starts(client.get(URL, query))[:2] == [
        "2027-02-01T09:20:00-05:00",
        "2027-02-01T09:40:00-05:00",
    ]

    time_machine.move_to(local(MONDAY - timedelta(days=1), 9, 21), tick=False)
    response = client.get(URL, query)

    assert starts(response)[0] == "2027-02-01T09:40:00-05:00"


def test_a_new_day_comes_into_the_default_list_at_midnight(client, session, time_machine):
    query = {"visit_type": "follow-up"}
    assert starts(client.get(URL, query))[-1].startswith("2027-02-01")

    time_machine.move_to(local(MONDAY - timedelta(days=6), 0, 1), tick=False)
    response = client.get(URL, query)

    assert response.json()["from"] == "2027-01-26"
    assert starts(response)[-1].startswith("2027-02-08")


def test_a_locations_new_name_shows_at_once_but_other_content_leaves_the_times_kept(
    client, session, condition, django_assert_max_num_queries
):
    client.get(URL)
    client.get(URL, {"visit_type": "follow-up"})
    condition.summary = "Edited by staff."
    condition.save()
    with django_assert_max_num_queries(0):
        client.get(URL, {"visit_type": "follow-up"})

    session.location.name = "Uptown clinic"
    session.location.save()

    assert client.get(URL).json()["locations"] == [
        {"id": session.location.pk, "name": "Uptown clinic"}
    ]


def test_a_version_written_with_another_secret_key_is_replaced_not_obeyed_forever(
    client, session, settings, django_assert_max_num_queries
):
    require(os.environ.get("REDIS_URL"), "REDIS_URL names no Redis server")
    settings.CACHES = redis_cache(os.environ["REDIS_URL"])
    # As the site leaves it when DJANGO_SECRET_KEY changes: signed, but not with this key.
    redis.Redis.from_url(os.environ["REDIS_URL"]).set(
        cache.make_and_validate_key(VERSION_KEY), b"signed with the old key"
    )
    client.get(URL, {"visit_type": "follow-up"})

    with django_assert_max_num_queries(0):
        assert client.get(URL, {"visit_type": "follow-up"}).status_code == 200


def test_the_open_times_are_found_while_the_cache_is_down(client, session, settings):
    settings.CACHES = redis_cache(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    session.location.name = "Uptown clinic"
    session.location.save()

    response = client.get(URL, {"visit_type": "follow-up"})

    assert response.status_code == 200
    assert starts(response)[0] == "2027-02-01T09:00:00-05:00"


def test_the_answer_is_the_same_for_everyone_and_any_origin_may_read_it(client, session):
    first = client.get(URL, {"visit_type": "follow-up"}, headers={"Origin": "https://else.org"})
    # A visitor with cookies of the site's (a session of their own): none is read.
    cookies = f"sessionid={'s' * 32}; csrftoken={'c' * 32}; messages=waiting"
    staff = Client(headers={"Cookie": cookies})
    second = staff.get(URL, {"visit_type": "follow-up"})

    assert first.content == second.content
    for response in [first, second]:
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cache-Control"] == "public, max-age=60"
        assert not response.cookies
        assert not response.has_header("Vary")
        assert response.has_header("X-Accel-Expires")


def test_an_unchanged_answer_is_a_304(client, session):
    first = client.get(URL, {"visit_type": "follow-up"})

    again = client.get(URL, {"visit_type": "follow-up"}, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"visit_type": "knee-surgery"}, "visit_type", "No visit type “knee-surgery”"),
        ({"visit_type": "new-patient"}, "visit_type", "No visit type “new-patient”"),
        ({"visit_type": "follow up!"}, "visit_type", "Give a visit type's slug"),
        ({"location": "1"}, "visit_type", "Name a visit type"),
        ({"visit_type": "follow-up", "location": "99999"}, "location", "No location has"),
        ({"visit_type": "follow-up", "location": "hidden"}, "location", "No location has"),
        ({"visit_type": "follow-up", "location": "first"}, "location", "Give a location's id"),
        ({"visit_type": "follow-up", "location": "-1"}, "location", "Give a location's id"),
        ({"visit_type": "follow-up", "location": "9" * 30}, "location", "Give a location's id"),
        ({"visit_type": "follow-up", "from": "2027-02-01\x00"}, "from", "Give a date as"),
        ({"visit_type": "follow-up", "days": "1e3"}, "days", "from 1 to 60"),
        ({"visit_type": "follow-up", "from": "01/02/2027"}, "from", "Give a date as YYYY-MM-DD"),
        ({"visit_type": "follow-up", "from": "2027-02-30"}, "from", "Give a date as YYYY-MM-DD"),
        ({"visit_type": "follow-up", "from": "2027-01-24"}, "from", "That day has passed"),
        ({"visit_type": "follow-up", "from": "2027-04-26"}, "from", "We book up to 90 days"),
        ({"visit_type": "follow-up", "days": "61"}, "days", "from 1 to 60"),
        ({"visit_type": "follow-up", "days": "0"}, "days", "from 1 to 60"),
        ({"visit_type": "follow-up", "days": "a week"}, "days", "from 1 to 60"),
        ({"visit_type": "x" * 5000}, "visit_type", "Give a visit type's slug"),
    ],
)
def test_bad_input_is_a_400_saying_what_is_wrong(client, session, query, field, message):
    VisitTypeFactory(slug="new-patient", is_bookable_online=False)
    hidden = LocationFactory(is_published=False)
    if query.get("location") == "hidden":
        query["location"] = str(hidden.pk)
    client.get(URL, {"visit_type": "follow-up"})
    version = cache.get(VERSION_KEY)

    response = client.get(URL, query)

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("X-Accel-Expires")
    assert response.json()["field"] == field
    assert message in response.json()["error"]
    assert cache.get(VERSION_KEY) == version is not None


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["visit_type", "location", "from", "days", "x"]),
        st.one_of(
            st.text(max_size=40),
            st.integers(min_value=-(10**30), max_value=10**30).map(str),
            st.dates().map(date.isoformat),
            st.just("follow-up"),
        ),
    )
)
def test_whatever_the_query_string_the_answer_is_json_and_never_a_server_error(
    client, session, query
):
    response = client.get(URL, query)

    assert response.status_code in (200, 400)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_only_get_and_head_are_answered(client, session, method):
    response = getattr(client, method)(URL)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_head_is_answered_as_get(client, session):
    response = client.head(URL, {"visit_type": "follow-up"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_sixty_days_of_two_locations_three_surgeons_and_500_booked_take_under_20_queries(
    client, django_assert_max_num_queries
):
    busy_diaries(VisitTypeFactory(slug="follow-up"), first_day=MONDAY)
    query = {"visit_type": "follow-up", "from": MONDAY.isoformat(), "days": 60}

    with django_assert_max_num_queries(19):
        response = client.get(URL, query)
    with django_assert_max_num_queries(0):
        again = client.get(URL, query)

    assert response.status_code == 200
    assert len(response.json()["open_times"]) > 3000
    assert again.content == response.content


def test_the_address_is_named(client):
    assert reverse("appointments:open_times_json") == URL
