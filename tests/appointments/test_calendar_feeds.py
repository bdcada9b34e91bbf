"""Each surgeon's private calendar feed: what a calendar app subscribed to its secret
address reads, and the office managers' hand on that address."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from icalendar import Calendar

from appointments import services
from appointments.calendar import appointment_uid
from appointments.models import Appointment, CalendarFeed
from practice.groups import OFFICE_MANAGERS, OFFICE_STAFF
from tests.factories import (
    AppointmentFactory,
    LocationFactory,
    PracticeFactory,
    SurgeonFactory,
    UserFactory,
    VisitTypeFactory,
)
from tests.support.schedule import local
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# The US clocks go forward on Sunday March 14, 2027.
BEFORE_THE_CHANGE = date(2027, 3, 12)
AFTER_THE_CHANGE = date(2027, 3, 15)
FEEDS = "admin:appointments_calendarfeed"


@pytest.fixture(autouse=True)
def early_march(time_machine):
    time_machine.move_to(local(date(2027, 3, 1), 12), tick=False)


@pytest.fixture
def surgeon():
    return SurgeonFactory(name="Dr. Rivera")


@pytest.fixture
def feed(surgeon):
    PracticeFactory(name="Riverside Spine")
    return services.calendar_feed_create(surgeon=surgeon, by=None)


@pytest.fixture
def follow_up():
    return VisitTypeFactory(name="Follow-up visit", duration_minutes=20)


@pytest.fixture
def riverside():
    return LocationFactory(
        name="Riverside clinic", street_address="12 River Road", locality="Hoboken", region="NJ"
    )


def book(surgeon, starts_at, **fields):
    return AppointmentFactory(surgeon=surgeon, starts_at=starts_at, **fields)


def fetch(client, feed):
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    return response, Calendar.from_ical(response.content)


def test_each_appointment_has_its_time_place_visit_type_and_reference(
    client, feed, surgeon, follow_up, riverside
):
    appointment = book(
        surgeon, local(date(2027, 3, 2), 9, 20), visit_type=follow_up, location=riverside
    )
    reference = appointment.appointment_request.reference

    response, calendar = fetch(client, feed)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["X-WR-CALNAME"]) == "Dr. Rivera — Riverside Spine"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Follow-up visit — {reference}"
    assert str(event["LOCATION"]) == "Riverside clinic, 12 River Road, Hoboken, NJ 00000"
    assert event.decoded("DTSTART") == datetime(2027, 3, 2, 9, 20, tzinfo=NEW_YORK)
    assert event.decoded("DTEND") == datetime(2027, 3, 2, 9, 40, tzinfo=NEW_YORK)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    # The patient's calendar file names the same event.
    assert str(event["UID"]) == appointment_uid(appointment)


def test_the_times_are_right_on_both_sides_of_a_change_of_the_clocks(client, feed, surgeon):
    book(surgeon, local(BEFORE_THE_CHANGE, 9))
    book(surgeon, local(AFTER_THE_CHANGE, 9))

    _, calendar = fetch(client, feed)

    starts = [event.decoded("DTSTART") for event in calendar.walk("VEVENT")]
    assert [start.astimezone(ZoneInfo("UTC")).hour for start in starts] == [14, 13]
    assert [(start.hour, start.minute) for start in starts] == [(9, 0), (9, 0)]
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/New_York"
    assert {part.name for part in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # What a calendar app does with the file: the zone's own rules give the same instant.
    [first, second] = calendar.walk("VEVENT")
    assert first["DTSTART"].to_ical() == b"20270312T090000"
    assert second["DTSTART"].to_ical() == b"20270315T090000"


def test_no_patients_name_contact_or_clinical_detail_is_in_it(client, feed, surgeon):
    book(
        surgeon,
        local(date(2027, 3, 3), 10),
        appointment_request__full_name="Ana María Núñez",
        appointment_request__email="ana.nunez@correo.test",
        appointment_request__phone="+12015550199",
        appointment_request__message="Numbness in my left foot since the fusion at L4-L5.",
        appointment_request__referring_doctor="Dr. Hawthorne",
        appointment_request__surgery_place="St. Elsewhere",
    )

    response, calendar = fetch(client, feed)

    text = response.content.decode()
    unfolded = text.replace("\r\n ", "")
    for detail in [
        "Ana",
        "Núñez",
        "Nu\u0301n\u0303ez",
        "ana.nunez",
        "correo.test",
        "5550199",
        "Numbness",
        "fusion",
        "Hawthorne",
        "Elsewhere",
    ]:
        assert detail not in unfolded
    assert len(calendar.walk("VEVENT")) == 1


def test_moved_cancelled_other_surgeons_and_far_off_appointments_are_left_out(
    client, feed, surgeon
):
    kept = [
        book(surgeon, local(date(2027, 3, 1), 8) - timedelta(days=30)),
        book(surgeon, local(date(2027, 3, 1), 8) + timedelta(days=180)),
    ]
    book(surgeon, local(date(2027, 3, 2), 9), status=Appointment.Status.MOVED)
    book(surgeon, local(date(2027, 3, 2), 10), status=Appointment.Status.CANCELLED)
    book(SurgeonFactory(), local(date(2027, 3, 2), 11))
    book(None, local(date(2027, 3, 2), 12))
    book(surgeon, local(date(2027, 3, 1), 8) - timedelta(days=31))
    book(surgeon, local(date(2027, 3, 1), 8) + timedelta(days=182))

    _, calendar = fetch(client, feed)

    references = [str(event["SUMMARY"]).rpartition(" ")[2] for event in calendar.walk("VEVENT")]
    assert references == [appointment.appointment_request.reference for appointment in kept]


def test_a_moved_appointment_keeps_its_event_in_a_newer_version(
    client, feed, surgeon, time_machine
):
    first = book(surgeon, local(date(2027, 3, 2), 9), status=Appointment.Status.MOVED)
    time_machine.shift(timedelta(minutes=5))
    book(surgeon, local(date(2027, 3, 4), 9), appointment_request=first.appointment_request)

    _, calendar = fetch(client, feed)

    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART").day == 4
    assert event["SEQUENCE"] == 2


def test_a_calendar_app_may_keep_it_a_few_minutes_and_no_shared_cache_at_all(client, feed):
    response, _ = fetch(client, feed)

    assert response["Cache-Control"] == "private, max-age=300"
    assert "X-Accel-Expires" not in response
    assert "public" not in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not response.cookies


def test_it_is_read_only(client, feed):
    assert client.head(feed.get_absolute_url()).status_code == 200
    assert client.post(feed.get_absolute_url()).status_code == 405


@pytest.mark.parametrize("token", ["revoked", "unknown", "short"])
def test_a_revoked_or_unknown_address_is_not_found_alike(client, feed, surgeon, token):
    old_address = feed.get_absolute_url()
    services.calendar_feed_create(surgeon=surgeon, by=None)
    address = {
        "revoked": old_address,
        "unknown": reverse("appointments:calendar_feed", args=["x" * 43]),
        "short": reverse("appointments:calendar_feed", args=["a"]),
    }[token]

    response = client.get(address)

    assert response.status_code == 404
    assert surgeon.name not in response.text


def test_a_new_address_revokes_the_old_one(client, feed, surgeon):
    book(surgeon, local(date(2027, 3, 2), 9))

    new = services.calendar_feed_create(surgeon=surgeon, by=None)

    assert new.token != feed.token
    assert len(new.token) >= 43
    assert client.get(feed.get_absolute_url()).status_code == 404
    assert len(fetch(client, new)[1].walk("VEVENT")) == 1
    assert list(CalendarFeed.objects.active()) == [new]


def test_the_feed_costs_the_same_few_queries_however_many_appointments(
    client, feed, surgeon, riverside, django_assert_max_num_queries
):
    book(surgeon, local(date(2027, 3, 2), 9), location=riverside, visit_type=VisitTypeFactory())
    fetch(client, feed)  # the practice's details are then in the shared cache
    for day in range(3, 23):
        book(
            surgeon, local(date(2027, 3, day), 9), location=riverside, visit_type=VisitTypeFactory()
        )

    # The address, then the appointments with their places, visit types and references.
    with django_assert_max_num_queries(2):
        assert len(fetch(client, feed)[1].walk("VEVENT")) == 21


# The office managers' side, in the admin.


def logged_in(client, group_name):
    user = UserFactory(username=group_name.split()[-1])
    user.groups.add(Group.objects.get(name=group_name))
    return log_in_verified(client, user)


@pytest.fixture
def manager(client):
    return logged_in(client, OFFICE_MANAGERS)


def test_a_manager_makes_an_address_and_reads_it_in_the_admin(manager, surgeon):
    response = manager.post(reverse(f"{FEEDS}_add"), {"surgeon": surgeon.pk}, follow=True)

    assert response.status_code == 200
    feed = CalendarFeed.objects.active().get(surgeon=surgeon)
    assert feed.created_by.username == "managers"
    page = manager.get(reverse(f"{FEEDS}_change", args=[feed.pk])).text
    assert f"https://practice.test/appointments/calendar/{feed.token}.ics" in page


def test_a_manager_makes_a_new_address_from_the_list_and_the_old_one_stops(
    client, manager, feed, surgeon
):
    manager.post(
        reverse(f"{FEEDS}_changelist"),
        {"action": "make_new_address", "_selected_action": [feed.pk]},
    )

    new = CalendarFeed.objects.active().get(surgeon=surgeon)
    assert new != feed
    assert client.get(feed.get_absolute_url()).status_code == 404
    page = manager.get(reverse(f"{FEEDS}_change", args=[feed.pk])).text
    assert feed.token not in page
    assert "Revoked: it no longer works." in page


def test_a_manager_revokes_an_address(client, manager, feed):
    manager.post(
        reverse(f"{FEEDS}_changelist"), {"action": "revoke", "_selected_action": [feed.pk]}
    )

    assert not CalendarFeed.objects.active().exists()
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_the_front_desk_cannot_see_the_addresses(client, feed):
    office = logged_in(client, OFFICE_STAFF)

    assert office.get(reverse(f"{FEEDS}_changelist")).status_code == 403
    assert office.get(reverse(f"{FEEDS}_change", args=[feed.pk])).status_code == 403
