"""A returning patient, on a phone with JavaScript off, moves their appointment from the
link in their email; the move page and the waitlist's pages pass axe-core."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from appointments import links, services, waitlist_links
from appointments.models import AppointmentRequest, VisitType
from tests.browser.axe import assert_accessible
from tests.factories import AppointmentRequestFactory, WaitlistOfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(transactional_db, live_server):
    call_command("load_demo_content", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def booked(site):
    """A follow-up booked at the last open time of the coming fortnight."""
    visit_type = VisitType.objects.bookable_online().first()
    found = services.open_times_find(
        visit_type=visit_type, first_day=timezone.localdate() + timedelta(days=7), days=14
    )
    last = found[-1]
    return services.appointment_book(
        appointment_request=AppointmentRequestFactory(
            condition=None, status=AppointmentRequest.Status.SCHEDULED
        ),
        starts_at=last.start,
        location=last.location,
        by=None,
        surgeon=last.surgeon,
        visit_type=visit_type,
    )


def public(url, site):
    return url.replace("https://practice.test", site)


def test_a_patient_moves_their_appointment_without_javascript(
    phone_page_without_javascript, site, booked
):
    page = phone_page_without_javascript
    page.goto(public(links.manage_url(booked), site))
    page.get_by_role("link", name="Move to another time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Move your appointment")
    page.get_by_role("link", name="Later week").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Move my appointment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment has moved")
    booked.refresh_from_db()
    assert booked.status == booked.Status.MOVED


@pytest.mark.parametrize("screen", ["phone_page", "desktop_page"])
def test_the_move_page_is_accessible(request, site, booked, screen):
    page = request.getfixturevalue(screen)
    page.goto(public(links.manage_url(booked), site) + "move/")

    expect(page.get_by_role("radio").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Move my appointment").click()

    expect(page.get_by_role("alert")).to_contain_text("Please choose a new time.")
    assert_accessible(page)


@pytest.mark.parametrize("screen", ["phone_page", "desktop_page"])
def test_the_waitlist_pages_are_accessible(request, site, booked, screen):
    page = request.getfixturevalue(screen)
    offer = WaitlistOfferFactory(
        entry__appointment_request=booked.appointment_request,
        entry__visit_type=booked.visit_type,
        entry__location=booked.location,
        surgeon=booked.surgeon,
        starts_at=booked.starts_at - timedelta(days=3),
    )

    page.goto(public(waitlist_links.offer_url(offer), site))
    expect(page.get_by_role("button", name="Take this time")).to_be_visible()
    assert_accessible(page)

    page.goto(public(waitlist_links.leave_url(offer.entry), site))
    page.get_by_role("button", name="Leave the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have left the waitlist")
    assert_accessible(page)
