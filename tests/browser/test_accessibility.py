"""The pages patients see pass axe-core, on a phone and on a desktop screen, in Chromium.

axe runs its default rules: WCAG 2.0 and 2.1 at levels A and AA, and axe's best
practices. The pages show the demo content that `load_demo_content` loads on a fresh site.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from appointments import links
from conditions.models import Condition
from practice.models import Location
from tests.browser.axe import assert_accessible
from tests.browser.patient import answer, fill_in_a_valid_request
from tests.factories import AppointmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(transactional_db, live_server):
    """The live server's address, with the demo content loaded."""
    call_command("load_demo_content", stdout=io.StringIO())
    return live_server.url


@pytest.fixture(params=["phone", "desktop"])
def page(request, site):
    """Each test runs twice: on a phone (360 px wide) and on a desktop screen (1280 px)."""
    return request.getfixturevalue(f"{request.param}_page")


def assert_skip_link_works(page):
    """The first Tab reaches the skip link, and Enter on it takes focus to the main content."""
    __tracebackhide__ = True
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


@pytest.mark.parametrize(
    "path", ["/", "/conditions/", "/conditions/revision-spine-surgery/", "/faq/"]
)
def test_page_is_accessible(page, site, path):
    page.goto(f"{site}{path}")

    assert_skip_link_works(page)
    assert_accessible(page)


def test_surgeon_profile_with_photo_is_accessible(page, site):
    page.goto(f"{site}/surgeons/dr-jane-example/")

    photo = page.get_by_role("img", name="A plain placeholder silhouette")
    expect(photo).to_be_visible()
    # The photo loads after the page does; a missing file never gets a natural width.
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=photo.element_handle()
    )
    assert_skip_link_works(page)
    assert_accessible(page)


def test_form_with_mistakes_is_accessible(page, site):
    page.goto(f"{site}/appointments/")
    assert_skip_link_works(page)

    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("alert")).to_contain_text("Please check")
    expect(page.locator("#form-errors")).to_be_focused()
    assert_accessible(page)


def test_form_with_every_follow_up_and_the_emergency_alert_showing_is_accessible(page, site):
    page.goto(f"{site}/appointments/")
    page.get_by_label("Sudden loss of bladder or bowel control").check()
    answer(page, "How would you like us to contact you?", "Phone")
    answer(page, "Have you had spine surgery before?", "Yes")
    answer(page, "Do you have any scans or X-rays of your spine?", "Yes")

    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#form-errors")).to_contain_text("If yes, which ones?")
    expect(page.locator(".red-flag-alert")).to_be_visible()
    expect(
        page.get_by_label("If yes, in which year was your last spine operation?")
    ).to_be_visible()
    assert_accessible(page)


def test_thanks_page_is_accessible(page, site):
    page.goto(f"{site}/appointments/?condition=revision-spine-surgery")
    fill_in_a_valid_request(page)
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    assert_skip_link_works(page)
    assert_accessible(page)


def test_page_the_confirmation_links_to_is_accessible(page, site):
    appointment = AppointmentFactory(
        location=Location.objects.first(),
        appointment_request__condition=Condition.objects.first(),
    )
    page.goto(links.manage_url(appointment).replace("https://practice.test", site))

    expect(page.get_by_role("button", name="Cancel my appointment")).to_be_visible()
    assert_skip_link_works(page)
    assert_accessible(page)

    page.get_by_role("button", name="Cancel my appointment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment is cancelled")
    assert_accessible(page)
