"""A patient books an open time on the form: the visit type and week by GET, the time
among their answers by POST, booked at once; or sends a request, as before."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appointments.booking import ASK_THE_OFFICE
from appointments.models import Appointment, AppointmentRequest, Notification
from tests.factories import (
    AppointmentFactory,
    ClinicSessionFactory,
    LocationFactory,
    OpeningHoursFactory,
    PracticeFactory,
    SurgeonFactory,
    VisitTypeFactory,
)
from tests.support.forms import appointment_answers, fresh_submission
from tests.support.schedule import MONDAY, local

pytestmark = pytest.mark.django_db

FORM_URL = reverse("appointments:request")
# What the request form asks that a visit type booked online answers itself.
ANSWERED_BY_THE_VISIT = ["patient_type", "visit_kind", "preferred_date", "preferred_time"]


@pytest.fixture(autouse=True)
def a_week_before(time_machine):
    time_machine.move_to(local(MONDAY - timedelta(days=7), 12), tick=False)


@pytest.fixture
def follow_up():
    """Follow-up visits of 20 minutes, Mondays 9:00 to 10:00 at the Downtown clinic."""
    visit_type = VisitTypeFactory(name="Follow-up visit", slug="follow-up")
    ClinicSessionFactory(
        visit_types=[visit_type],
        location=LocationFactory(name="Downtown clinic"),
        surgeon=SurgeonFactory(name="Dr. Jane Example"),
        starts=time(9),
        ends=time(10),
        valid_from=MONDAY - timedelta(days=7),
    )
    return visit_type


def value(start, location):
    return f"{timezone.localtime(start).isoformat()}|{location.pk}"


@pytest.fixture
def booking_answers(condition, follow_up):
    """The form's answers for a booking: the request's less what the visit type answers."""
    answers = appointment_answers(condition.slug)
    for name in ANSWERED_BY_THE_VISIT:
        answers.pop(name)
    return answers | fresh_submission(seconds_ago=60)


def first_time_value(follow_up, hour=9, minute=20):
    session = follow_up.clinic_sessions.get()
    return value(local(MONDAY, hour, minute), session.location)


def book(client, answers, **params):
    return client.post(f"{FORM_URL}?visit_type=follow-up&week={MONDAY}", answers, **params)


def test_the_form_offers_each_visit_type_and_asking_the_office(client, follow_up):
    VisitTypeFactory(name="First consultation", slug="first", is_bookable_online=False)

    page = client.get(FORM_URL).text

    assert "What is the visit for?" in page
    assert 'value="follow-up"' in page
    assert 'value="first"' in page
    assert f'value="{ASK_THE_OFFICE}"' in page
    # Until a visit is chosen, the request form is there as before.
    assert "Have you been a patient here before?" in page


def test_a_chosen_visit_type_shows_its_first_week_of_times_by_day(client, condition, follow_up):
    response = client.get(FORM_URL, {"visit_type": "follow-up"})

    page = response.text
    assert response.status_code == 200
    assert "<legend>Monday, February 1</legend>" in page
    location = follow_up.clinic_sessions.get().location
    for minute in (0, 20, 40):
        start = local(MONDAY, 9, minute)
        assert f'value="{value(start, location)}"' in page
    assert (
        '<span class="visually-hidden">Monday, February 1, </span>9:20 AM, Downtown clinic' in page
    )
    assert "2027-02-01T09:20:00-05:00|" in page  # the start as open-times.json gives it
    assert "Later week" in page
    assert "Earlier week" in page  # the first week with a time is the next one


def test_a_visit_booked_online_asks_nothing_it_answers_itself(client, condition, follow_up):
    page = client.get(FORM_URL, {"visit_type": "follow-up"}).text

    assert "Have you been a patient here before?" not in page
    assert "What would you like from the visit?" not in page
    assert "Preferred date" not in page
    assert "Do you have any of these right now?" in page
    assert page.index("Do you have any of these right now?") < page.index("Choose a time")
    assert "Book this time" in page


def test_the_week_is_chosen_by_get_and_kept_within_the_horizon(client, follow_up):
    later = MONDAY + timedelta(days=14)

    page = client.get(FORM_URL, {"visit_type": "follow-up", "week": later.isoformat()}).text

    assert "Monday, February 15" in page
    assert "Monday, February 1<" not in page
    for week in ["not-a-date", "1999-01-04"]:
        response = client.get(FORM_URL, {"visit_type": "follow-up", "week": week})
        assert response.status_code == 200


def test_booking_a_time_books_it_at_once_and_the_thanks_page_says_so(
    client, booking_answers, follow_up, practice, django_capture_on_commit_callbacks
):
    answers = booking_answers | {"start": first_time_value(follow_up)}

    with django_capture_on_commit_callbacks(execute=True):
        response = book(client, answers, follow=True)

    appointment = Appointment.objects.get()
    session = follow_up.clinic_sessions.get()
    assert appointment.starts_at == local(MONDAY, 9, 20)
    assert (appointment.location, appointment.surgeon) == (session.location, session.surgeon)
    assert appointment.visit_type == follow_up
    assert appointment.booked_by is None
    saved = appointment.appointment_request
    assert saved.status == AppointmentRequest.Status.SCHEDULED
    assert saved.patient_type == AppointmentRequest.PatientType.RETURNING
    assert saved.visit_kind == AppointmentRequest.VisitKind.FOLLOW_UP
    assert (saved.preferred_date, saved.preferred_location) == (MONDAY, session.location)
    page = response.text
    assert "<title>Appointment booked" in page
    assert "Your appointment is booked" in page
    assert "Monday, February 1, 2027 at 9:20 AM" in page
    assert "Downtown clinic" in page
    assert saved.reference in page
    kinds = sorted(saved.notifications.values_list("kind", flat=True))
    assert kinds == [Notification.Kind.CONFIRMATION, Notification.Kind.OFFICE]
    confirmation = next(message for message in mail.outbox if message.to == ["ana@patient.test"])
    assert [name for name, *_ in confirmation.attachments] == ["appointment.ics"]
    office = next(message for message in mail.outbox if message.to != ["ana@patient.test"])
    for body in (office.body, office.alternatives[0][0]):
        assert "A patient has booked an appointment on the website: Mon Feb 1, 2027" in body


def test_a_second_tap_books_once(client, booking_answers, follow_up):
    answers = booking_answers | {"start": first_time_value(follow_up)}

    book(client, answers)
    response = book(client, answers)

    assert response.status_code == 302
    assert Appointment.objects.count() == 1
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (lambda loc: value(local(MONDAY, 9, 10), loc), "That is not a time we offer"),
        (lambda loc: value(local(MONDAY, 10), loc), "That is not a time we offer"),
        (lambda loc: value(local(MONDAY, 9, 20), LocationFactory()), "That is not a time we"),
        (lambda loc: value(local(MONDAY, 9, 20) + timedelta(days=364), loc), "not a time we"),
        (lambda loc: value(local(MONDAY - timedelta(days=7), 9), loc), "That time has passed"),
        (
            lambda loc: value(local(MONDAY - timedelta(days=7), 9) + timedelta(days=1), loc),
            "We book online from 24 hours ahead",
        ),
        (lambda loc: "2027-02-01T09:20:00|1", "Please choose one of the times listed"),
        (lambda loc: "next tuesday", "Please choose one of the times listed"),
        (lambda loc: "9999-12-31T23:59:59-23:59|1", "Please choose one of the times listed"),
        (lambda loc: "0001-01-01T00:00:00+23:59|1", "Please choose one of the times listed"),
        (lambda loc: "2027-02-01T09:20:00-05:00|" + "9" * 30, "Please choose one of the"),
        (lambda loc: "2027-02-01T09:20:00-05:00|-1", "Please choose one of the times listed"),
        (
            lambda loc: f"2027-02-01T09:20:00-05:00\x00|{loc.pk}",
            "Please choose one of the times listed",
        ),
        (lambda loc: f" 2027-02-01T09:20:00-05:00|{loc.pk}", "Please choose one of the times"),
        (lambda loc: "", "Please choose a time"),
    ],
)
def test_a_time_that_is_not_open_is_refused_and_changes_nothing(
    client, booking_answers, follow_up, start, message
):
    location = follow_up.clinic_sessions.get().location

    response = book(client, booking_answers | {"start": start(location)})

    assert response.status_code == 200
    assert message in response.text
    assert 'value="Ana María Núñez"' in response.text
    assert AppointmentRequest.objects.count() == 0
    assert Appointment.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_time_booked_since_the_page_was_shown_has_just_gone(client, booking_answers, follow_up):
    session = follow_up.clinic_sessions.get()
    AppointmentFactory(
        starts_at=local(MONDAY, 9, 20),
        location=session.location,
        surgeon=session.surgeon,
        visit_type=follow_up,
    )

    response = book(client, booking_answers | {"start": first_time_value(follow_up)})

    page = response.text
    assert "That time has just gone" in page
    assert value(local(MONDAY, 9, 40), session.location) in page
    assert value(local(MONDAY, 9, 20), session.location) not in page
    assert 'value="Ana María Núñez"' in page
    assert AppointmentRequest.objects.count() == 1  # the other patient's


def test_an_emergency_symptom_books_nothing_and_sends_an_urgent_request(
    client, booking_answers, follow_up
):
    answers = booking_answers | {
        "start": first_time_value(follow_up),
        "red_flags": ["leg_weakness"],
    }

    response = book(client, answers, follow=True)

    assert "Please get emergency care now" in response.text
    assert "Your appointment is booked" not in response.text
    saved = AppointmentRequest.objects.get()
    assert saved.is_urgent
    assert saved.status == AppointmentRequest.Status.NEW
    assert Appointment.objects.count() == 0
    assert set(saved.notifications.values_list("kind", flat=True)) == {
        Notification.Kind.OFFICE,
        Notification.Kind.ACKNOWLEDGMENT,
    }


@pytest.fixture
def second_opinion(follow_up):
    """Second opinions, 40 minutes, arranged by the office, in the follow-ups' session."""
    visit_type = VisitTypeFactory(
        name="Second opinion", slug="second-opinion", duration_minutes=30, is_bookable_online=False
    )
    follow_up.clinic_sessions.get().visit_types.add(visit_type)
    return visit_type


def ask_for(client, answers):
    return client.post(f"{FORM_URL}?visit_type=second-opinion&week={MONDAY}", answers)


def test_a_visit_the_office_arranges_is_asked_for_with_its_open_times(client, second_opinion):
    page = client.get(FORM_URL, {"visit_type": "second-opinion"}).text

    assert "Second opinion: the office arranges this visit" in page
    assert "Times that would suit you (optional)" in page
    assert 'type="checkbox" name="preferred_times"' in page
    assert "What would you like from the visit?" not in page
    assert "Have you been a patient here before?" in page
    assert "Send request" in page


def test_ticked_times_are_kept_with_the_request_and_answer_the_date(
    client, condition, second_opinion, practice, django_capture_on_commit_callbacks
):
    location = second_opinion.clinic_sessions.get().location
    chosen = [value(local(MONDAY, 9, 30), location), value(local(MONDAY, 9), location)]
    answers = appointment_answers(condition.slug) | fresh_submission()
    answers |= {"preferred_times": chosen, "preferred_date": "", "preferred_time": ""}
    answers.pop("visit_kind")

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for(client, answers)

    assert response.status_code == 302
    saved = AppointmentRequest.objects.get()
    assert saved.status == AppointmentRequest.Status.NEW
    assert saved.visit_type == second_opinion
    assert saved.visit_label == "Second opinion"
    assert [time["start"] for time in saved.preferred_times] == [
        "2027-02-01T09:30:00-05:00",
        "2027-02-01T09:00:00-05:00",
    ]
    assert (saved.preferred_date, saved.preferred_location) == (MONDAY, location)
    assert Appointment.objects.count() == 0
    office = next(message for message in mail.outbox if message.to != ["ana@patient.test"])
    for body in (office.body, office.alternatives[0][0]):
        assert "Second opinion" in body
        assert "Monday, February 1, 9:30 AM, Downtown clinic" in body
        assert "Monday, February 1, 9:00 AM, Downtown clinic" in body


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ([(9, 0), (9, 30), (10, 0), (10, 30)], "Please tick at most three times."),
        ([(9, 10)], "That is not a time we offer"),
    ],
)
def test_too_many_or_unoffered_times_are_refused(client, condition, second_opinion, times, message):
    session = second_opinion.clinic_sessions.get()
    session.ends = time(11)
    session.save()
    answers = appointment_answers(condition.slug) | fresh_submission()
    answers.pop("visit_kind")
    answers["preferred_times"] = [value(local(MONDAY, h, m), session.location) for h, m in times]

    response = ask_for(client, answers)

    assert response.status_code == 200
    assert message in response.text
    assert AppointmentRequest.objects.count() == 0


def test_an_unknown_visit_type_is_named_and_the_request_form_shown(client, follow_up):
    response = client.get(FORM_URL, {"visit_type": "<b>nope</b>"})

    assert response.status_code == 200
    assert "We do not know that kind of visit" in response.text
    assert "<b>nope</b>" not in response.text
    assert "Have you been a patient here before?" in response.text


def test_asking_the_office_sends_a_request_as_before(client, valid_form_data, follow_up):
    response = client.post(f"{FORM_URL}?visit_type={ASK_THE_OFFICE}", valid_form_data)

    assert response.status_code == 302
    assert AppointmentRequest.objects.get().status == AppointmentRequest.Status.NEW
    assert Appointment.objects.count() == 0


def test_without_visit_types_the_form_is_as_before(client, condition):
    PracticeFactory()

    page = client.get(FORM_URL).text

    assert "What is the visit for?" not in page
    assert "Send request" in page


def test_a_time_the_office_closed_after_it_was_checked_is_refused_in_the_patients_words(
    client, booking_answers, follow_up
):
    """The location's hours say Tuesdays only: the open time passes the form's check but
    not the booking's, whose message is for staff."""
    session = follow_up.clinic_sessions.get()
    OpeningHoursFactory(location=session.location, weekday=1)

    response = book(client, booking_answers | {"start": first_time_value(follow_up)})

    assert "That time cannot be booked online. Please choose another, or call us." in response.text
    assert "does not see patients" not in response.text
    assert AppointmentRequest.objects.count() == 0
