"""A member of the office staff writes, previews, publishes and renames a condition page.

In Chromium at desktop size, driven by Playwright, as a content editor (staff, not a
superuser) who never types HTML: the rich-text editor's toolbar and shortcuts make it.
What patients see is checked from a browser context of its own, with no staff cookies.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from conditions.models import Condition, ConditionSection
from practice.groups import CONTENT_EDITORS
from tests.factories import ConditionFactory, ConditionSectionFactory, UserFactory
from tests.support.staff import log_in_through_the_pages, log_in_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-office-passphrase"


@pytest.fixture
def content_editor():
    """A member of the "Content editors" group that every migrate sets up: its permissions
    (practice/groups.py), and nothing more, are what this editor works with."""
    user = UserFactory(username="maria", first_name="Maria", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=CONTENT_EDITORS))
    return user


@pytest.fixture
def visitor(desktop_page):
    """A patient's browser: a context of its own, so it has none of the staff's cookies."""
    context = desktop_page.context.browser.new_context(viewport=desktop_page.viewport_size)
    yield context.new_page()
    context.close()


def log_in(page, live_server, user):
    log_in_through_the_pages(page, live_server.url, user, PASSWORD)
    expect(page.get_by_role("heading", name="Content and appointment requests")).to_be_visible()


def go_to_conditions(page):
    page.get_by_role("rowheader", name="Conditions").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Select condition to change")


def open_condition(page, title):
    go_to_conditions(page)
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change condition")


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)


def rich_text_editor(container):
    """The editor's writing area: a contenteditable element, not a field for HTML."""
    return container.locator("[contenteditable=true]")


def sitemap_addresses(visitor, live_server):
    response = visitor.request.get(f"{live_server.url}/sitemap.xml")
    assert response.status == 200
    return set(re.findall(r"<loc>([^<]+)</loc>", response.text()))


def public_address(slug):
    return f"{settings.SITE_URL}{reverse('conditions:detail', kwargs={'slug': slug})}"


def test_staff_write_a_draft_preview_it_and_publish_it(
    live_server, desktop_page, visitor, content_editor
):
    stenosis = ConditionFactory(title="Spinal stenosis")
    page = desktop_page
    log_in(page, live_server, content_editor)

    go_to_conditions(page)
    page.get_by_role("link", name="Add condition").click()
    page.get_by_label("Title:", exact=True).press_sequentially("Cervical myelopathy")
    expect(page.get_by_label("Slug:", exact=True)).to_have_value("cervical-myelopathy")
    page.get_by_label("Summary:", exact=True).fill("Pressure on the spinal cord in the neck.")

    page.get_by_role("button", name="Add another Section").click()
    section = page.locator("#sections-0")
    section.get_by_label("Order:", exact=True).fill("1")
    section.get_by_label("Heading:", exact=True).fill("What it is")
    body = rich_text_editor(section)
    body.press_sequentially("The spinal cord is ")
    section.get_by_role("button", name="bold", exact=True).click()
    body.press_sequentially("squeezed in the neck")
    section.get_by_role("button", name="bold", exact=True).click()
    body.press_sequentially(".")
    body.press("Enter")
    section.get_by_role("button", name="unordered list").click()
    body.press_sequentially("Clumsy hands")
    body.press("Enter")
    body.press_sequentially("Trouble walking")
    expect(body.locator("strong")).to_have_text("squeezed in the neck")
    expect(body.locator("ul > li")).to_have_text(["Clumsy hands", "Trouble walking"])

    page.get_by_role("button", name="Add another Frequently asked question").click()
    question = page.locator("#questions-0")
    question.get_by_label("Question:", exact=True).fill("Will I need an operation?")
    answer = rich_text_editor(question)
    answer.press_sequentially("Usually not: ")
    answer.press("Control+b")
    answer.press_sequentially("most people get better with physiotherapy")
    answer.press("Control+b")
    answer.press_sequentially(".")

    related = page.get_by_role("group", name="Related conditions")
    related.get_by_placeholder("Filter").first.fill("stenosis")
    related.get_by_role("listbox", name="Available related conditions").select_option(
        label="Spinal stenosis"
    )
    related.get_by_role("button", name="Choose selected related conditions").click()
    expect(
        related.get_by_role("listbox", name="Chosen related conditions").get_by_role("option")
    ).to_have_text(["Spinal stenosis"])
    publishing = page.get_by_role("group", name="Publishing")
    expect(publishing).to_contain_text("Save the page once to preview it.")
    expect(publishing.get_by_label("Published")).not_to_be_checked()
    save_and_continue(page)

    condition = Condition.objects.get(slug="cervical-myelopathy")
    assert condition.title == "Cervical myelopathy"
    assert not condition.is_published
    assert list(condition.related_conditions.all()) == [stenosis]
    # The editor, not the member of staff, wrote this markup.
    assert condition.sections.get().body == (
        "<p>The spinal cord is <strong>squeezed in the neck</strong>.</p>"
        "<ul><li><p>Clumsy hands</p></li><li><p>Trouble walking</p></li></ul>"
    )
    faq = condition.questions.get()
    assert faq.question == "Will I need an operation?"
    assert faq.answer == (
        "<p>Usually not: <strong>most people get better with physiotherapy</strong>.</p>"
    )

    with page.context.expect_page() as new_tab:
        page.get_by_role("link", name="Preview this page as patients will see it").click()
    preview = new_tab.value
    preview_url = preview.url
    expect(preview.get_by_role("note")).to_contain_text(
        "Preview. This page is a draft: patients cannot see it."
    )
    expect(preview.get_by_role("heading", level=1)).to_have_text("Cervical myelopathy")
    expect(preview.get_by_role("heading", name="What it is")).to_be_visible()
    expect(preview.locator("strong", has_text="squeezed in the neck")).to_be_visible()
    expect(preview.get_by_role("listitem").filter(has_text="Trouble walking")).to_be_visible()
    expect(preview.get_by_text("Will I need an operation?")).to_be_visible()
    expect(preview.get_by_role("link", name="Spinal stenosis")).to_be_visible()
    preview.close()

    public_url = f"{live_server.url}/conditions/cervical-myelopathy/"
    assert visitor.request.get(public_url).status == 404
    assert "Cervical myelopathy" not in visitor.request.get(preview_url).text()
    visitor.goto(f"{live_server.url}/conditions/")
    expect(visitor.get_by_role("link", name="Spinal stenosis")).to_be_visible()
    expect(visitor.get_by_role("link", name="Cervical myelopathy")).to_have_count(0)
    addresses = sitemap_addresses(visitor, live_server)
    assert public_address("spinal-stenosis") in addresses
    assert public_address("cervical-myelopathy") not in addresses

    page.get_by_role("group", name="Publishing").get_by_label("Published").check()
    save_and_continue(page)

    assert visitor.request.get(public_url).status == 200
    visitor.goto(f"{live_server.url}/conditions/")
    visitor.get_by_role("link", name="Cervical myelopathy").click()
    expect(visitor).to_have_url(public_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Cervical myelopathy")
    expect(visitor.get_by_role("heading", name="What it is")).to_be_visible()
    expect(visitor.get_by_text("Will I need an operation?")).to_be_visible()
    expect(visitor.get_by_text("This page is a draft")).to_have_count(0)
    assert public_address("cervical-myelopathy") in sitemap_addresses(visitor, live_server)


def test_a_renamed_page_keeps_its_old_address_working(
    live_server, desktop_page, visitor, content_editor
):
    ConditionFactory(title="Cervical myelopathy", slug="cervical-myelopathy")
    page = desktop_page
    log_in(page, live_server, content_editor)
    open_condition(page, "Cervical myelopathy")

    page.get_by_label("Slug:", exact=True).fill("degenerative-cervical-myelopathy")
    save_and_continue(page)

    expect(page.get_by_label("Slug:", exact=True)).to_have_value("degenerative-cervical-myelopathy")
    former_addresses = page.get_by_role("group", name="Former addresses (redirect to this page)")
    old_slug = former_addresses.get_by_role("cell", name="cervical-myelopathy", exact=True)
    expect(old_slug).to_be_visible()
    old_url = f"{live_server.url}/conditions/cervical-myelopathy/"
    new_url = f"{live_server.url}/conditions/degenerative-cervical-myelopathy/"
    redirect = visitor.request.get(old_url, max_redirects=0)
    assert redirect.status == 301
    assert redirect.headers["location"] == "/conditions/degenerative-cervical-myelopathy/"
    assert visitor.request.get(new_url, max_redirects=0).status == 200
    visitor.goto(old_url)
    expect(visitor).to_have_url(new_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Cervical myelopathy")
    addresses = sitemap_addresses(visitor, live_server)
    assert public_address("degenerative-cervical-myelopathy") in addresses
    assert public_address("cervical-myelopathy") not in addresses


def paste_html(editor, html):
    """What the browser does when staff paste from a web page or a word processor."""
    editor.evaluate(
        """(element, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", html);
            element.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
            }));
        }""",
        html,
    )


def test_markup_staff_type_paste_or_post_never_runs_on_the_page(
    client, live_server, desktop_page, visitor, content_editor
):
    condition = ConditionFactory(title="Cervical myelopathy", slug="cervical-myelopathy")
    kept = ConditionSectionFactory(condition=condition, heading="What it is", order=1)
    dialogs = []
    for browser_page in (desktop_page, visitor):
        browser_page.on("dialog", lambda dialog: (dialogs.append(dialog), dialog.dismiss()))

    # The editor makes no raw tags, so the admin form is posted as a forged request would be.
    log_in_verified(client, content_editor)
    response = client.post(
        reverse("admin:conditions_condition_change", args=[condition.pk]),
        {
            "title": condition.title,
            "slug": condition.slug,
            "summary": condition.summary,
            "is_published": "on",
            "related_conditions": [],
            "sections-TOTAL_FORMS": "2",
            "sections-INITIAL_FORMS": "1",
            "sections-0-id": kept.pk,
            "sections-0-condition": condition.pk,
            "sections-0-order": "1",
            "sections-0-heading": kept.heading,
            "sections-0-body": kept.body,
            "sections-1-order": "2",
            "sections-1-heading": "Before the operation",
            "sections-1-body": "<p>Bring your scans.</p><script>alert(1)</script>"
            '<p><img src=x onerror=alert(1)>Stop smoking.</p><a href="javascript:alert(1)">'
            "Read more</a>",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "former_slugs-TOTAL_FORMS": "0",
            "former_slugs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    posted = ConditionSection.objects.get(heading="Before the operation")
    for attack in ("<script", "onerror", "<img", "javascript:"):
        assert attack not in posted.body
    assert "Bring your scans." in posted.body
    assert "Stop smoking." in posted.body

    page = desktop_page
    log_in(page, live_server, content_editor)
    open_condition(page, "Cervical myelopathy")
    body = rich_text_editor(page.locator("#sections-0"))
    body.click()
    body.press("Control+End")
    body.press("Enter")
    body.press_sequentially("<script>alert(1)</script>")
    body.press("Enter")
    paste_html(body, '<p>See the scan<img src=x onerror="alert(1)"></p>')
    expect(body).to_contain_text("See the scan")
    save_and_continue(page)

    kept.refresh_from_db()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in kept.body
    assert "See the scan" in kept.body
    for attack in ("<script", "onerror", "<img"):
        assert attack not in kept.body

    public_url = f"{live_server.url}/conditions/cervical-myelopathy/"
    html = visitor.request.get(public_url).text()
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:alert" not in html
    visitor.goto(public_url)
    expect(visitor.get_by_role("heading", name="Before the operation")).to_be_visible()
    expect(visitor.get_by_text("<script>alert(1)</script>")).to_be_visible()
    expect(visitor.get_by_text("See the scan")).to_be_visible()
    assert dialogs == []
