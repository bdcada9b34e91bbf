"""The open times through the front: each address kept apart (they read their query
string), the same copy for every visitor, and a booking gone within the front's second."""

import json
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as clock_time

import pytest
from django.utils import timezone

from appointments import services
from tests.factories import AppointmentRequestFactory, ClinicSessionFactory, VisitTypeFactory
from tests.support.processes import wait_until
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/appointments/open-times.json"


@pytest.fixture
def session():
    """A clinic four days from now, 9:00 to 10:00, for a visit type of this test's own: no
    other test's copy is in the front's cache."""
    day = timezone.localdate() + timedelta(days=4)
    slug = f"follow-up-{uuid.uuid4().hex[:8]}"
    return ClinicSessionFactory(
        weekday=day.weekday(),
        starts=clock_time(9),
        ends=clock_time(10),
        valid_from=day,
        visit_types=[VisitTypeFactory(slug=slug)],
    )


def path_of(session):
    return f"{URL}?visit_type={session.visit_types.get().slug}"


def starts(answer):
    return [open_time["start"] for open_time in json.loads(answer.content)["open_times"]]


def kept(front, path, headers=None):
    answer = wait_until(
        lambda: hit(fetch(front.url, path, headers=headers)), timeout=3, interval=0.01
    )
    assert answer, f"the front kept no copy of {path}"
    return answer


def hit(answer):
    return answer if answer.header("X-Cache") == "HIT" else None


def test_each_query_is_kept_apart_from_the_others(front, site, session):
    index = kept(front, URL)
    times = kept(front, path_of(session))

    assert "visit_types" in json.loads(index.content)
    assert json.loads(times.content)["visit_type"]["slug"] == session.visit_types.get().slug
    assert starts(times)
    assert times.header("Access-Control-Allow-Origin") == "*"


def test_a_visitor_with_cookies_gets_the_copy_everyone_gets(front, session):
    first = kept(front, path_of(session))

    answer = kept(
        front, path_of(session), headers={"Cookie": "sessionid=made-up; csrftoken=broken"}
    )

    assert answer.content == first.content
    assert answer.header("Set-Cookie") is None


def test_a_booked_time_is_gone_through_the_front_within_a_second(front, session):
    path = path_of(session)
    first = starts(kept(front, path))[0]
    starts_at = datetime.fromisoformat(first)

    services.appointment_book(
        appointment_request=AppointmentRequestFactory(),
        starts_at=starts_at,
        location=session.location,
        by=None,
        surgeon=session.surgeon,
        visit_type=session.visit_types.get(),
    )
    booked = time.monotonic()
    gone = wait_until(lambda: first not in starts(fetch(front.url, path)), timeout=3, interval=0.02)
    delay = time.monotonic() - booked

    assert gone, f"{first} still offered {delay:.2f} s after it was booked"
    print(f"\nA booked time, gone from the open times through the front after {delay:.2f} s")
    assert delay < 1.5
