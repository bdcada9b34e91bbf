import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from practice.models import Practice
from tests.factories import PracticeFactory, SurgeonFactory

pytestmark = pytest.mark.django_db


def test_office_recipients_are_read_from_a_comma_separated_list():
    practice = PracticeFactory(office_recipients="a@practice.test,  b@practice.test,\n")

    assert practice.get_office_recipients() == ["a@practice.test", "b@practice.test"]


def test_office_recipients_fall_back_to_the_server_setting(settings):
    settings.OFFICE_EMAIL = ["office@server.test"]

    assert PracticeFactory(office_recipients="").get_office_recipients() == ["office@server.test"]


def test_a_mistyped_recipient_is_named_in_the_message():
    practice = PracticeFactory.build(office_recipients="ok@practice.test, not-an-address")

    with pytest.raises(ValidationError) as error:
        practice.full_clean()

    assert error.value.message_dict["office_recipients"] == [
        "“not-an-address” is not a valid email address."
    ]


def test_there_is_one_set_of_practice_details():
    PracticeFactory(name="First")
    Practice(name="Second").save()

    assert Practice.objects.count() == 1
    assert Practice.get_solo().name == "Second"


def test_only_one_surgeon_can_be_the_default():
    SurgeonFactory(is_default=True)

    with pytest.raises(IntegrityError):
        SurgeonFactory(is_default=True)


def test_biography_plain_text_is_stored_when_saved():
    surgeon = SurgeonFactory(biography="<p>Trained in Boston.</p><p>Operates &amp; teaches.</p>")

    surgeon.refresh_from_db()
    assert surgeon.biography_text == "Trained in Boston. Operates & teaches."
