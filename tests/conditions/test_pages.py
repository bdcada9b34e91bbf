import re

import pytest
from django.urls import reverse

from tests.factories import (
    ConditionFactory,
    ConditionSectionFactory,
    QuestionFactory,
    SurgeonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_condition(condition):
    condition.eyebrow = "Full-spine surgery"
    condition.also_known_as = "Redo spine surgery, spine reoperation"
    condition.approach = "<p>We look for one specific cause.</p>"
    condition.when_to_seek_opinion = "<p>When symptoms persist after surgery.</p>"
    condition.reviewed_by = SurgeonFactory(name="Dr. Jane Example", slug="dr-jane-example")
    condition.last_reviewed_on = "2026-11-02"
    condition.save()
    ConditionSectionFactory(
        condition=condition, heading="Recovery", order=2, body="<p>" + "rest " * 500 + "</p>"
    )
    ConditionSectionFactory(condition=condition, heading="Why it is harder", order=1)
    QuestionFactory(condition=condition, question="Is it riskier than the first operation?")
    condition.related_conditions.add(ConditionFactory(title="Pseudarthrosis"))
    condition.related_conditions.add(ConditionFactory(title="Draft page", is_published=False))
    condition.refresh_contents()
    return condition


def test_condition_list_shows_published_pages_only(client, condition):
    ConditionFactory(title="Unfinished draft", is_published=False)

    response = client.get(reverse("conditions:list"))

    assert condition.title in response.text
    assert "Unfinished draft" not in response.text


def test_condition_page_shows_every_part(client, full_condition):
    response = client.get(full_condition.get_absolute_url())

    page = response.text
    assert response.status_code == 200
    assert "<h1>Revision spine surgery</h1>" in page
    assert "Full-spine surgery" in page
    assert full_condition.summary in page
    assert "Redo spine surgery, spine reoperation" in page
    assert "3 min read" in page
    assert 'Reviewed by <a href="/surgeons/dr-jane-example/">Dr. Jane Example</a>' in page
    assert "November 2, 2026" in page
    assert page.index("Why it is harder") < page.index("Recovery")
    assert "We look for one specific cause." in page
    assert "When symptoms persist after surgery." in page
    assert "<summary>Is it riskier than the first operation?</summary>" in page
    assert ">Pseudarthrosis</a>" in page
    assert "Draft page" not in page


def test_condition_page_books_with_the_condition_preselected(client, condition):
    response = client.get(condition.get_absolute_url())

    assert 'href="/appointments/?condition=revision-spine-surgery"' in response.text


def test_draft_condition_is_not_found(client):
    draft = ConditionFactory(is_published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_reading_time_counts_every_section(condition):
    ConditionSectionFactory(condition=condition, body="<p>" + "word " * 450 + "</p>")

    condition.refresh_contents()

    condition.refresh_from_db()
    assert condition.reading_minutes == 3


def test_rich_text_is_cleaned_when_saved(condition):
    section = ConditionSectionFactory(
        condition=condition,
        body='<p onclick="steal()">Safe <script>alert(1)</script><a href="javascript:x">x</a></p>',
    )

    section.refresh_from_db()
    assert section.body == "<p>Safe <a>x</a></p>"


def test_script_typed_by_staff_never_reaches_the_page(client, condition):
    ConditionSectionFactory(
        condition=condition,
        heading="Recovery",
        body='<p>Rest.</p><script>alert(1)</script><img src="x" onerror="alert(2)">',
    )
    condition.approach = '<p onmouseover="alert(3)">We plan with care.</p>'
    condition.save()

    page = client.get(condition.get_absolute_url()).text

    assert "<p>Rest.</p>" in page
    assert "<p>We plan with care.</p>" in page
    assert "alert(" not in page
    assert "onerror" not in page


def test_table_of_contents_links_to_every_section_in_order(client, condition):
    ConditionSectionFactory(condition=condition, heading="Why it is harder", order=1)
    ConditionSectionFactory(condition=condition, heading="Recovery", order=2)

    page = client.get(condition.get_absolute_url()).text

    toc = page[
        page.index('<nav class="toc"') : page.index("</nav>", page.index('<nav class="toc"'))
    ]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert [title for _, title in links[:2]] == ["Why it is harder", "Recovery"]
    for anchor, _ in links:
        assert f'id="{anchor}"' in page


def test_one_section_with_an_approach_still_gets_a_table_of_contents(client, condition):
    ConditionSectionFactory(condition=condition, heading="What it is")
    condition.approach = "<p>We plan with care.</p>"
    condition.save()

    page = client.get(condition.get_absolute_url()).text

    assert '<li><a href="#our-approach">Our approach</a></li>' in page


def test_table_of_contents_and_reading_time_are_stored_when_a_section_is_saved(condition):
    section = ConditionSectionFactory(condition=condition, heading="Recovery", order=3)
    ConditionSectionFactory(condition=condition, body="<p>" + "word " * 450 + "</p>")

    condition.refresh_from_db()
    assert condition.contents[0] == ["section-3-recovery", "Recovery"]
    assert condition.reading_minutes == 3

    section.delete()
    condition.refresh_from_db()
    assert "Recovery" not in str(condition.contents)


def test_table_of_contents_follows_the_page_own_parts_when_it_is_saved(condition):
    condition.when_to_seek_opinion = "<p>When the pain stays.</p>"
    condition.approach = "<script>alert(1)</script>"
    condition.save()

    condition.refresh_from_db()
    assert condition.contents == [["when-to-seek", "When to seek a specialist opinion"]]
