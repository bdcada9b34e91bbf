"""The office books one of the open times a patient ticked on the form, with one click."""

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.models import Appointment, AppointmentRequest, Notification
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    ClinicSessionFactory,
    LocationFactory,
    VisitTypeFactory,
)
from tests.support.schedule import MONDAY, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def a_week_before(time_machine):
    time_machine.move_to(local(MONDAY - timedelta(days=7), 12), tick=False)


@pytest.fixture
def session():
    visit_type = VisitTypeFactory(name="Second opinion", is_bookable_online=False)
    return ClinicSessionFactory(
        visit_types=[visit_type],
        location=LocationFactory(name="Downtown clinic"),
        valid_from=MONDAY - timedelta(days=7),
    )


@pytest.fixture
def asked(session):
    """A request for a second opinion, with two times the patient would like."""
    return AppointmentRequestFactory(
        visit_type=session.visit_types.get(),
        preferred_times=[
            {
                "start": local(MONDAY, 9, minute).isoformat(),
                "location": session.location.pk,
                "surgeon": session.surgeon.pk,
            }
            for minute in (20, 40)
        ],
    )


def change_url(appointment_request):
    return reverse("admin:appointments_appointmentrequest_change", args=[appointment_request.pk])


def book_url(appointment_request):
    return reverse("admin:appointments_appointmentrequest_book_time", args=[appointment_request.pk])


def button_value(start, location):
    return f"{start.isoformat()}|{location.pk}"


def test_the_request_shows_each_time_with_a_button_that_books_it(admin_client, asked, session):
    page = admin_client.get(change_url(asked)).text

    assert "Monday, February 1, 9:20 AM, Downtown clinic" in page
    assert "Monday, February 1, 9:40 AM, Downtown clinic" in page
    assert page.count(f'formaction="{book_url(asked)}"') == 2
    assert f'value="{button_value(local(MONDAY, 9, 40), session.location)}"' in page


def test_one_click_books_the_time_with_its_surgeon_and_emails_the_patient(
    admin_client, admin_user, asked, session
):
    value = button_value(local(MONDAY, 9, 40), session.location)

    response = admin_client.post(book_url(asked), {"book_time": value}, follow=True)

    appointment = Appointment.objects.get()
    assert appointment.starts_at == local(MONDAY, 9, 40)
    assert (appointment.location, appointment.surgeon) == (session.location, session.surgeon)
    assert appointment.visit_type == asked.visit_type
    assert appointment.booked_by == admin_user
    asked.refresh_from_db()
    assert asked.status == AppointmentRequest.Status.SCHEDULED
    assert asked.notifications.filter(kind=Notification.Kind.CONFIRMATION).exists()
    assert "Booked for Mon Feb 1, 2027 9:40 AM at Downtown clinic" in response.text


def test_a_time_that_has_gone_is_refused_with_a_message(admin_client, asked, session):
    AppointmentFactory(starts_at=local(MONDAY, 9, 40), surgeon=session.surgeon)
    value = button_value(local(MONDAY, 9, 40), session.location)

    response = admin_client.post(book_url(asked), {"book_time": value}, follow=True)

    assert "Not booked: That time has just gone" in response.text
    assert not asked.appointments.exists()
    asked.refresh_from_db()
    assert asked.status == AppointmentRequest.Status.NEW


@pytest.mark.parametrize("value", ["", "2027-02-01T10:00:00-05:00|1", "<script>"])
def test_a_time_the_patient_did_not_tick_is_refused(admin_client, asked, value):
    response = admin_client.post(book_url(asked), {"book_time": value}, follow=True)

    assert "Not booked: The patient did not ask for that time." in response.text
    assert Appointment.objects.count() == 0


def test_nothing_is_booked_by_following_the_address(admin_client, asked):
    assert admin_client.get(book_url(asked)).status_code == 405
    assert Appointment.objects.count() == 0
