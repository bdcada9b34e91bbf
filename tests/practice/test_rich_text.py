"""Rich text is cleaned as it is shown, not only as it is saved: a fixture, a
`QuerySet.update` or raw SQL writes past the field's cleaning."""

import pytest
from django.urls import reverse

from conditions.models import ConditionSection
from faq.models import Question
from practice.models import Surgeon
from tests.factories import ConditionSectionFactory, QuestionFactory, SurgeonFactory

pytestmark = pytest.mark.django_db

RAW = (
    '<p onclick="steal()">Plain words stay.</p><script>steal()</script>'
    '<img src="x" onerror="steal()"><a href="javascript:steal()">link</a>'
    '<iframe src="https://tracker.example/"></iframe>'
)


def assert_cleaned(page):
    """In what the page shows (its JSON-LD <script> is the site's own)."""
    shown = page.partition("<main")[2].partition("</main>")[0]
    assert "Plain words stay." in shown
    for written_past_the_field in ["steal()", "<script", "onclick", "onerror", "<iframe"]:
        assert written_past_the_field not in shown


def test_a_condition_section_written_past_the_field_is_cleaned_on_the_page(client, condition):
    section = ConditionSectionFactory(condition=condition)
    ConditionSection.objects.filter(pk=section.pk).update(body=RAW)

    assert_cleaned(client.get(condition.get_absolute_url()).text)


def test_an_answer_written_past_the_field_is_cleaned_on_the_page(client, condition):
    question = QuestionFactory(condition=None)
    Question.objects.filter(pk=question.pk).update(answer=RAW)

    assert_cleaned(client.get(reverse("faq:list")).text)


def test_a_biography_written_past_the_field_is_cleaned_on_every_page(client, practice):
    surgeon = SurgeonFactory(is_default=True)
    Surgeon.objects.filter(pk=surgeon.pk).update(biography=RAW)

    assert_cleaned(client.get(surgeon.get_absolute_url()).text)
    assert_cleaned(client.get(reverse("practice:home")).text)


def test_what_staff_may_write_is_shown_as_they_wrote_it(client, condition):
    kept = '<h3>Recovery</h3><p><strong>Rest</strong> and <a href="tel:+15550100">call</a>.</p>'
    ConditionSectionFactory(condition=condition, body=kept)

    assert kept in client.get(condition.get_absolute_url()).text
