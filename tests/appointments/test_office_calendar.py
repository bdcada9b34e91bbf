"""The office's calendar in the admin: a day or a week of each diary, booked, free and
blocked, with the urgent requests waiting; for those who may read the requests."""

import html
import re
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.models import Appointment, AppointmentRequest
from practice.audit import Action, AuditEntry
from practice.groups import CONTENT_EDITORS, OFFICE_MANAGERS, OFFICE_STAFF
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    ClinicSessionFactory,
    ClosureFactory,
    LocationFactory,
    SurgeonFactory,
    UserFactory,
    VisitTypeFactory,
)
from tests.support.schedule import MONDAY, local
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

DAY = reverse("admin:appointments_appointmentrequest_calendar")
WEEK = reverse("admin:appointments_appointmentrequest_calendar_week")


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    """8:00 on MONDAY: every clinic that day is inside the patients' booking notice, none
    has begun."""
    time_machine.move_to(local(MONDAY, 8), tick=False)


def logged_in(client, group_name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return log_in_verified(client, user)


@pytest.fixture
def office(client):
    return logged_in(client, OFFICE_STAFF)


@pytest.fixture
def riverside():
    return LocationFactory(name="Riverside clinic")


@pytest.fixture
def surgeon():
    return SurgeonFactory(name="Dr. Rivera")


@pytest.fixture
def follow_up():
    return VisitTypeFactory(name="Follow-up visit", duration_minutes=20)


@pytest.fixture
def clinic(riverside, surgeon, follow_up):
    """Mondays 9:00 to 10:00 at Riverside, Dr. Rivera: three follow-up visits."""
    return ClinicSessionFactory(
        location=riverside,
        surgeon=surgeon,
        visit_types=[follow_up],
        starts=time(9),
        ends=time(10),
        valid_from=MONDAY - timedelta(days=28),
    )


def booked(clinic, day, hour, minute=0, **request_fields):
    return AppointmentFactory(
        appointment_request__full_name=request_fields.pop("full_name", "Ana María Núñez"),
        appointment_request__message="My left leg goes numb after 20 minutes of walking.",
        starts_at=local(day, hour, minute),
        location=clinic.location,
        surgeon=clinic.surgeon,
        visit_type=clinic.visit_types.get(),
        **request_fields,
    )


def text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def captions(page):
    """Each diary's heading: its location, surgeon and clinic hours."""
    return [
        text(caption)
        for caption in re.findall(r"<caption class=\"diary-title\">(.*?)</caption>", page, re.S)
    ]


def rows(page):
    """Each row of the diaries as its text reads: "9:00 AM–9:20 AM Booked ABCD-EFGH · …"."""
    found = re.findall(r'<tr class="calendar-(?:booked|free|blocked)">(.*?)</tr>', page, re.S)
    return [text(row) for row in found]


def test_the_day_shows_booked_free_and_blocked_times(office, clinic, riverside):
    appointment = booked(clinic, MONDAY, 9, 20)
    on_leave = ClinicSessionFactory(
        location=riverside, starts=time(13), ends=time(15), valid_from=MONDAY
    )
    ClosureFactory(starts_on=MONDAY, surgeon=on_leave.surgeon, reason="Spine conference")

    response = office.get(DAY, {"day": "2027-02-01"})

    assert response.status_code == 200
    page = response.text
    reference = appointment.appointment_request.reference
    assert rows(page) == [
        "9:00 AM Free Follow-up visit (20 min)",
        f"9:20 AM–9:40 AM Booked {reference} · Ana María Núñez · Follow-up visit",
        "9:40 AM Free Follow-up visit (20 min)",
        "1:00 PM–3:00 PM Blocked Spine conference",
    ]
    assert (
        reverse(
            "admin:appointments_appointmentrequest_change",
            args=[appointment.appointment_request_id],
        )
        in page
    )
    assert f"Closed for {on_leave.surgeon}: Spine conference" in page
    # Nothing clinical, not even for the office: the request's page has that.
    assert "numb" not in page


def test_the_office_sees_free_times_inside_the_patients_notice_but_none_past(
    office, clinic, time_machine
):
    time_machine.move_to(local(MONDAY, 9, 10), tick=False)

    page = office.get(DAY, {"day": "2027-02-01"}).text

    assert rows(page) == [
        "9:20 AM Free Follow-up visit (20 min)",
        "9:40 AM Free Follow-up visit (20 min)",
    ]


def test_an_appointment_booked_outside_any_clinic_is_shown(office, riverside):
    appointment = AppointmentFactory(starts_at=local(MONDAY, 16), location=riverside)

    page = office.get(DAY, {"day": "2027-02-01"}).text

    assert "Riverside clinic · No surgeon named" in page
    assert rows(page) == [
        f"4:00 PM–4:30 PM Booked {appointment.appointment_request.reference} · "
        f"{appointment.appointment_request.full_name} · Visit type not set"
    ]


def test_a_cancelled_or_moved_appointment_leaves_its_time_free(office, clinic):
    booked(clinic, MONDAY, 9, status=Appointment.Status.CANCELLED)
    booked(clinic, MONDAY, 9, 20, status=Appointment.Status.MOVED)

    page = office.get(DAY, {"day": "2027-02-01"}).text

    assert [row.split(" Free")[0] for row in rows(page)] == ["9:00 AM", "9:20 AM", "9:40 AM"]


def test_a_day_closed_for_the_whole_practice_is_blocked(office, clinic):
    ClosureFactory(starts_on=MONDAY, reason="Presidents' Day")

    page = office.get(DAY, {"day": "2027-02-01"}).text

    assert rows(page) == ["9:00 AM–10:00 AM Blocked Presidents' Day"]
    assert "Closed: Presidents&#x27; Day" in page


def test_urgent_requests_waiting_are_listed_whatever_the_day(office):
    waiting = AppointmentRequestFactory(is_urgent=True, full_name="Urgent Waiting")
    AppointmentRequestFactory(
        is_urgent=True, status=AppointmentRequest.Status.CONTACTED, full_name="Urgent Called"
    )
    AppointmentRequestFactory(
        is_urgent=True, status=AppointmentRequest.Status.SCHEDULED, full_name="Urgent Booked"
    )
    AppointmentRequestFactory(full_name="Not Urgent")

    page = office.get(DAY, {"day": "2027-03-10"}).text

    urgent = page.partition("Urgent requests waiting")[2]
    assert waiting.reference in urgent
    assert "Urgent Waiting" in urgent
    assert "Urgent Called" in urgent
    assert "Urgent Booked" not in page
    assert "Not Urgent" not in page


def test_the_week_runs_monday_to_sunday_with_each_days_diaries(office, clinic):
    thursday = booked(clinic, MONDAY + timedelta(days=3), 11)

    response = office.get(WEEK, {"day": "2027-02-03"})

    page = response.text
    assert "Week of Monday February 1, 2027" in page
    headings = re.findall(r'<h2><a href="[^"]*day=([\d-]+)[^"]*">([^<]+)</a></h2>', page)
    assert headings == [
        ((MONDAY + timedelta(days=n)).isoformat(), f"{MONDAY + timedelta(days=n):%A %B %-d}")
        for n in range(7)
    ]
    assert len(rows(page)) == 3 + 1
    assert f"11:00 AM–11:20 AM Booked {thursday.appointment_request.reference}" in rows(page)[3]
    # The next Monday's clinic is the next week's.
    assert "2027-02-08" in re.search(r'href="([^"]*)">Next week', page).group(1)


def test_a_location_or_a_surgeon_shows_its_diaries_alone(office, clinic, riverside):
    elsewhere = ClinicSessionFactory(valid_from=MONDAY, starts=time(14), ends=time(14, 20))
    other_surgeon_here = ClinicSessionFactory(
        location=riverside, valid_from=MONDAY, starts=time(16), ends=time(16, 20)
    )

    by_location = office.get(DAY, {"day": "2027-02-01", "location": riverside.pk}).text
    by_surgeon = office.get(DAY, {"day": "2027-02-01", "surgeon": clinic.surgeon.pk}).text
    everyone = office.get(DAY, {"day": "2027-02-01"}).text

    assert [row[:7] for row in rows(by_location)] == ["9:00 AM", "9:20 AM", "9:40 AM", "4:00 PM"]
    assert [row[:7] for row in rows(by_surgeon)] == ["9:00 AM", "9:20 AM", "9:40 AM"]
    assert len(rows(everyone)) == 5
    assert captions(by_location) == [
        "Riverside clinic · Dr. Rivera clinic 9:00 AM–10:00 AM",
        f"Riverside clinic · {other_surgeon_here.surgeon} clinic 4:00 PM–4:20 PM",
    ]
    assert captions(by_surgeon) == ["Riverside clinic · Dr. Rivera clinic 9:00 AM–10:00 AM"]
    assert f"{elsewhere.location} · {elsewhere.surgeon} clinic 2:00 PM–2:20 PM" in captions(
        everyone
    )


def test_previous_and_next_keep_the_filters(office, clinic, riverside):
    page = office.get(DAY, {"day": "2027-02-01", "location": riverside.pk}).text

    previous = html.unescape(re.search(r'href="([^"]*)">&larr; Previous day', page).group(1))
    following = html.unescape(re.search(r'href="([^"]*)">Next day', page).group(1))
    assert previous == f"{DAY}?day=2027-01-31&location={riverside.pk}"
    assert following == f"{DAY}?day=2027-02-02&location={riverside.pk}"


def test_without_a_day_it_is_today(office, clinic):
    page = office.get(DAY).text

    assert "Monday February 1, 2027" in page
    assert len(rows(page)) == 3


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"day": "2027-02-31"}, "day", "Enter a valid date."),
        ({"day": "99999-01-01"}, "day", "Enter a valid date."),
        ({"day": "9999-12-31"}, "day", "Choose a day within ten years of today."),
        ({"location": "riverside"}, "location", "Select a valid choice."),
        ({"surgeon": "999999"}, "surgeon", "Select a valid choice."),
        ({"surgeon": "9" * 30}, "surgeon", "Select a valid choice."),
        ({"location": "1\x00"}, "location", "Null characters are not allowed."),
        ({"day": "2027-02-01\x00"}, "day", "Enter a valid date."),
    ],
)
def test_a_bad_filter_is_named_and_nothing_is_shown(office, clinic, query, field, message):
    response = office.get(WEEK, query)

    assert response.status_code == 200
    assert message in response.text
    assert response.context["form"].errors[field]
    assert rows(response.text) == []
    assert not AuditEntry.objects.filter(action=Action.REQUESTS_LISTED).exists()


def test_opening_the_calendar_is_in_the_audit_log_with_the_requests_it_showed(
    office, clinic, riverside
):
    appointment = booked(clinic, MONDAY, 9)
    urgent = AppointmentRequestFactory(is_urgent=True)
    booked(clinic, MONDAY + timedelta(days=1), 9)  # another day: not shown

    office.get(DAY, {"day": "2027-02-01", "location": riverside.pk})

    [entry] = AuditEntry.objects.filter(action=Action.REQUESTS_LISTED)
    assert sorted(entry.appointment_requests) == sorted(
        [
            [appointment.appointment_request_id, appointment.appointment_request.reference],
            [urgent.pk, urgent.reference],
        ]
    )
    assert entry.details == {
        "calendar": "day",
        "day": "2027-02-01",
        "filters": {"location": str(riverside.pk)},
        "count": 2,
    }


@pytest.mark.parametrize(
    ("group_name", "status"), [(OFFICE_STAFF, 200), (OFFICE_MANAGERS, 200), (CONTENT_EDITORS, 403)]
)
@pytest.mark.parametrize("address", [DAY, WEEK])
def test_those_who_read_the_requests_may_read_the_calendar(client, group_name, status, address):
    response = logged_in(client, group_name).get(address)

    assert response.status_code == status


def test_staff_not_verified_by_their_second_factor_are_sent_to_log_in(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=OFFICE_STAFF))
    client.force_login(user)

    response = client.get(DAY)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_calendar_links_a_print_stylesheet_that_leaves_the_menus_off(office):
    page = office.get(DAY).text

    assert 'href="/static/css/office_calendar.css"' in page
    with open(finders.find("css/office_calendar.css")) as stylesheet:
        print_rules = stylesheet.read().partition("@media print")[2]
    for hidden in ["#header", "#nav-sidebar", ".calendar-filters", ".calendar-nav"]:
        assert hidden in print_rules
    assert "<style" not in page.partition("<body")[2]
    assert " style=" not in page


def test_the_requests_list_links_to_the_calendar(office):
    page = office.get(reverse("admin:appointments_appointmentrequest_changelist")).text

    assert f'href="{DAY}"' in page


def test_a_busy_week_costs_the_queries_of_a_quiet_one(office, clinic, follow_up):
    """Two locations, three surgeons, three visit types: queries by visit type, not by
    appointment, session or day."""
    new_patient = VisitTypeFactory(name="New patient", duration_minutes=40)
    long_visit = VisitTypeFactory(name="Long visit", duration_minutes=60)
    downtown = LocationFactory(name="Downtown clinic")
    surgeons = [clinic.surgeon, SurgeonFactory(), SurgeonFactory()]
    for number, surgeon in enumerate(surgeons):
        for weekday in range(5):
            ClinicSessionFactory(
                surgeon=surgeon,
                location=[clinic.location, downtown][number % 2],
                weekday=weekday,
                starts=time(13),
                ends=time(17),
                valid_from=MONDAY,
                visit_types=[follow_up, new_patient, long_visit],
            )
    booked(clinic, MONDAY, 9)
    office.get(DAY)  # what the first page after a login looks up once
    with CaptureQueriesContext(connection) as quiet:
        office.get(WEEK, {"day": "2027-02-01"})
    for day in range(5):
        for hour in range(13, 17):
            booked(clinic, MONDAY + timedelta(days=day), hour, full_name=f"Patient {day} {hour}")

    with CaptureQueriesContext(connection) as busy:
        page = office.get(WEEK, {"day": "2027-02-01"}).text

    assert page.count('<tr class="calendar-booked">') == 21
    assert len(busy) == len(quiet) <= 30
