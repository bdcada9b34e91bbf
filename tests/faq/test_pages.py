import pytest
from django.urls import reverse

from tests.factories import ConditionFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_general_questions_come_first_then_each_condition_in_staff_order(client, condition):
    QuestionFactory(condition=condition, question="Second about revision?", order=2)
    QuestionFactory(condition=condition, question="First about revision?", order=1)
    QuestionFactory(question="Do I need a referral?", order=5)
    QuestionFactory(condition=ConditionFactory(title="Adjacent-segment disease"), question="ASD?")

    page = client.get(reverse("faq:list")).text.split("<body>")[1]

    positions = [
        page.index(text)
        for text in [
            "About the practice",
            "Do I need a referral?",
            "Adjacent-segment disease",
            "ASD?",
            "Revision spine surgery",
            "First about revision?",
            "Second about revision?",
        ]
    ]
    assert positions == sorted(positions)


def test_hidden_questions_and_questions_of_drafts_are_not_shown(client):
    QuestionFactory(question="Hidden question?", is_published=False)
    QuestionFactory(question="About a draft?", condition=ConditionFactory(is_published=False))
    QuestionFactory(question="Visible question?")

    page = client.get(reverse("faq:list")).text

    assert "Visible question?" in page
    assert "Hidden question?" not in page
    assert "About a draft?" not in page


def test_answers_open_without_javascript(client):
    QuestionFactory(question="Can I get a second opinion?", answer="<p>Yes, gladly.</p>")

    page = client.get(reverse("faq:list")).text

    assert "<summary>Can I get a second opinion?</summary>" in page
    assert "<p>Yes, gladly.</p>" in page


def test_answer_plain_text_is_stored_when_saved():
    question = QuestionFactory(answer="<p>Usually not.</p><ul><li>Rest</li><li>Walk</li></ul>")

    question.refresh_from_db()
    assert question.answer_text == "Usually not. Rest Walk"
