"""Every page works under the site's Content-Security-Policy, in Chromium.

The policy allows no inline script or style and no third-party origin. Chromium reports
whatever it blocks twice: as a `securitypolicyviolation` event in the page, and as an
error in the console. Both are collected here, from the first script on each page on, and
each step of a patient's and a member of staff's way through the site must add none; the
pages must still do their work (the form's alert, the admin's date and time pickers, the
rich-text editor's toolbar).
"""

import pytest
from playwright.sync_api import expect

from appointments.models import AppointmentRequest
from tests.browser.patient import fill_in_a_valid_request
from tests.factories import (
    AppointmentRequestFactory,
    ConditionSectionFactory,
    LocationFactory,
    PracticeFactory,
    QuestionFactory,
    UserFactory,
)
from tests.support.staff import code_from_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-office-passphrase"

# Runs in every document before the page's own scripts: each violation is handed to the
# test through the binding that `watched` exposes.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`
    + ` (${event.sourceFile || document.location.href}:${event.lineNumber})`
  );
});
"""


class PolicyWatch:
    """What Chromium blocked, or complained about in a policy header, since the last check."""

    def __init__(self, page):
        self.problems = []
        page.expose_function("reportCspViolation", self.report)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.read_console)

    def report(self, violation):
        self.problems.append(violation)

    def read_console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text:
            self.problems.append(f"console {message.type}: {text}")

    def assert_none(self, page, step):
        __tracebackhide__ = True
        # Events fired while the page settles arrive through the binding a moment later.
        page.wait_for_load_state("load")
        page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 200))")
        problems, self.problems[:] = list(self.problems), []
        assert not problems, f"{step} ({page.url}):\n" + "\n".join(problems)


@pytest.fixture
def watched(desktop_page):
    return desktop_page, PolicyWatch(desktop_page)


@pytest.fixture
def content(condition):
    PracticeFactory()
    ConditionSectionFactory(condition=condition, heading="Why a second operation is different")
    QuestionFactory(condition=condition, question="Is it riskier than the first operation?")
    QuestionFactory(question="Do I need a referral?")
    return condition


@pytest.fixture
def superuser():
    user = UserFactory(username="office", is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_patient_pages_and_the_form_break_no_rule(live_server, watched, content):
    page, policy = watched

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    policy.assert_none(page, "home")

    page.goto(f"{live_server.url}/conditions/")
    expect(page.get_by_role("link", name="Revision spine surgery").first).to_be_visible()
    policy.assert_none(page, "condition list")

    page.goto(f"{live_server.url}/conditions/revision-spine-surgery/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision spine surgery")
    policy.assert_none(page, "condition page")

    page.goto(f"{live_server.url}/faq/")
    expect(page.get_by_text("Do I need a referral?")).to_be_visible()
    policy.assert_none(page, "FAQ")

    page.goto(f"{live_server.url}/appointments/")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    policy.assert_none(page, "the form, sent with mistakes")

    page.get_by_label("Leg weakness that is getting worse quickly").check()
    expect(page.get_by_role("alert").filter(has_text="emergency care")).to_be_visible()
    policy.assert_none(page, "the form, with an emergency symptom ticked")

    page.goto(f"{live_server.url}/appointments/?condition=revision-spine-surgery")
    fill_in_a_valid_request(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    policy.assert_none(page, "thanks page")
    assert AppointmentRequest.objects.count() == 1

    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    policy.assert_none(page, "404 page")


def test_the_admin_and_its_editors_break_no_rule(live_server, watched, content, superuser):
    page, policy = watched
    LocationFactory(name="Riverside clinic")
    appointment_request = AppointmentRequestFactory(
        condition=content,
        is_urgent=True,
        red_flags=[AppointmentRequest.RedFlag.LEG_WEAKNESS],
    )

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_label("Username")).to_be_visible()
    policy.assert_none(page, "admin login")

    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The first login sets up the authenticator app: a QR code drawn inline, as SVG.
    expect(page.locator(".qr-code-box svg")).to_be_visible()
    policy.assert_none(page, "setting up the authenticator app")

    page.get_by_label("Code").fill(code_from_key(page.locator("#set-up-key").inner_text()))
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    policy.assert_none(page, "backup codes")

    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name="Content and appointment requests")).to_be_visible()
    policy.assert_none(page, "admin index")

    page.goto(f"{live_server.url}/admin/appointments/appointmentrequest/")
    urgent = page.locator(".urgent-marker")
    expect(urgent).to_have_text("Urgent")
    # The marker's colour comes from admin.css, now that it may not be inline.
    colour = "el => getComputedStyle(el).color"
    assert urgent.evaluate(colour) != urgent.locator("xpath=..").evaluate(colour)
    policy.assert_none(page, "list of requests")

    page.goto(
        f"{live_server.url}/admin/appointments/appointmentrequest/{appointment_request.pk}/change/"
    )
    # Django's date and time widgets add their shortcuts and pickers with JavaScript.
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    page.get_by_role("link", name="Choose a Date").click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Choose a Time")).to_be_visible()
    expect(page.get_by_text("Leg weakness that is getting worse quickly")).to_be_visible()
    policy.assert_none(page, "appointment request")

    page.goto(f"{live_server.url}/admin/conditions/condition/{content.pk}/change/")
    # The rich-text editor starts only if its import map (an inline script) may run.
    editor = page.locator(".prose-editor").first
    expect(editor.locator("[contenteditable=true]")).to_be_visible()
    expect(editor.get_by_role("button", name="bold", exact=True)).to_be_visible()
    editor.locator("[contenteditable=true]").press_sequentially(" More.")
    # ProseMirror's own stylesheet (allowed by its hash) keeps the spaces typed.
    assert (
        editor.locator("[contenteditable=true]").evaluate("el => getComputedStyle(el).whiteSpace")
        != "normal"
    )
    # A section added on the page gets an editor of its own.
    page.get_by_role("button", name="Add another Section").click()
    expect(page.locator("#sections-1 .prose-editor [contenteditable=true]")).to_be_visible()
    policy.assert_none(page, "condition with the rich-text editor")
