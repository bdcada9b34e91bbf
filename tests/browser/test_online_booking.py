"""A returning patient books a follow-up on a phone, with and without JavaScript, on the
demo content's visit types and clinic sessions."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from appointments.models import Appointment
from tests.browser.axe import assert_accessible
from tests.browser.patient import answer
from tests.support.browser import PHONE, browser_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(transactional_db, live_server):
    call_command("load_demo_content", stdout=io.StringIO())
    return live_server.url


def choose_a_follow_up(page, site):
    page.goto(f"{site}/appointments/?condition=revision-spine-surgery")
    answer(
        page, "What is the visit for?", "Follow-up visit: For patients the surgeon has seen before."
    )
    page.get_by_role("button", name="Show the times").click()
    times = page.get_by_role("group", name="Choose a time")
    expect(times).to_be_visible()
    return times


def fill_in_the_rest(page):
    page.get_by_role("textbox", name="Full name").fill("Ana María Núñez")
    page.get_by_role("textbox", name="Email", exact=True).fill("ana@patient.test")
    page.get_by_role("textbox", name="Phone number").fill("(201) 555-0199")
    answer(page, "How would you like us to contact you?", "Email")
    answer(page, "Have you had spine surgery before?", "No")
    answer(page, "Do you have any scans or X-rays of your spine?", "No")
    page.get_by_label("I agree that the practice may contact me").check()


@pytest.mark.parametrize("javascript", [True, False])
def test_returning_patient_books_a_time_on_a_phone(site, browser, javascript):
    with browser_page(browser, java_script_enabled=javascript, **PHONE) as page:
        times = choose_a_follow_up(page, site)
        assert "Have you been a patient here before?" not in page.content()
        first = times.get_by_role("radio").first
        label = first.evaluate("radio => radio.labels[0].textContent")
        first.check()
        fill_in_the_rest(page)

        page.get_by_role("button", name="Book this time").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment is booked")
        appointment = Appointment.objects.select_related("location").get()
        expect(page.get_by_role("main")).to_contain_text(appointment.location.name)
        assert label.endswith(appointment.location.name)
        assert appointment.appointment_request.full_name == "Ana María Núñez"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_booking_form_with_its_times_and_mistakes_is_accessible(request, site, size):
    page = request.getfixturevalue(f"{size}_page")
    times = choose_a_follow_up(page, site)
    expect(times.get_by_role("group").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Book this time").click()

    expect(page.locator("#form-errors")).to_contain_text("Choose a time")
    assert_accessible(page)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_asking_for_a_first_consultation_with_times_ticked_is_accessible(request, site, size):
    page = request.getfixturevalue(f"{size}_page")
    page.goto(f"{site}/appointments/?visit_type=first-consultation")
    times = page.get_by_role("group", name="Times that would suit you (optional)")
    boxes = times.get_by_role("checkbox")
    for index in range(4):
        boxes.nth(index).check()

    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#form-errors")).to_contain_text("Please tick at most three times.")
    expect(times.get_by_role("checkbox", checked=True)).to_have_count(4)
    assert_accessible(page)
