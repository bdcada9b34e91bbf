"""The office opens the calendar from the list of requests, reads a day, and prints it:
in Chromium at desktop size, as a member of the "Office staff" group."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from practice.groups import OFFICE_STAFF
from tests.factories import (
    AppointmentFactory,
    ClinicSessionFactory,
    LocationFactory,
    SurgeonFactory,
    UserFactory,
    VisitTypeFactory,
)
from tests.support.staff import log_in_through_the_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-office-passphrase"


@pytest.fixture
def office_user():
    user = UserFactory(username="maria", first_name="Maria")
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=OFFICE_STAFF))
    return user


@pytest.fixture
def next_week():
    """A clinic a week from today, 9:00 to 10:00, with one of its three visits booked."""
    day = timezone.localdate() + timedelta(days=7)
    session = ClinicSessionFactory(
        location=LocationFactory(name="Riverside clinic"),
        surgeon=SurgeonFactory(name="Dr. Rivera"),
        weekday=day.weekday(),
        starts=time(9),
        ends=time(10),
        visit_types=[VisitTypeFactory(name="Follow-up visit")],
    )
    appointment = AppointmentFactory(
        starts_at=timezone.make_aware(datetime.combine(day, time(9, 20))),
        location=session.location,
        surgeon=session.surgeon,
        visit_type=session.visit_types.get(),
        appointment_request__full_name="Ana María Núñez",
    )
    return day, appointment


def test_the_office_reads_a_day_and_prints_it_without_the_menus(
    desktop_page, live_server, office_user, next_week
):
    day, appointment = next_week
    page = desktop_page
    log_in_through_the_pages(page, live_server.url, office_user, PASSWORD)
    page.goto(f"{live_server.url}/admin/appointments/appointmentrequest/")
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()

    diary = page.get_by_role("table", name="Riverside clinic · Dr. Rivera")
    expect(diary.get_by_role("row")).to_have_count(4)
    booked = diary.get_by_role("row", name=appointment.appointment_request.reference)
    expect(booked).to_contain_text("Booked")
    expect(booked).to_contain_text("Ana María Núñez")
    expect(diary.get_by_role("row", name="9:40 AM Free")).to_be_visible()

    page.emulate_media(media="print")
    expect(diary).to_be_visible()
    for hidden in ["#header", "#nav-sidebar", ".calendar-filters", ".calendar-nav"]:
        expect(page.locator(hidden)).to_be_hidden()

    booked.get_by_role("link", name=appointment.appointment_request.reference).click()
    expect(page).to_have_url(
        f"{live_server.url}/admin/appointments/appointmentrequest/"
        f"{appointment.appointment_request_id}/change/"
    )
