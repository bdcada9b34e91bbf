from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.utils import timezone

from appointments.models import VisitType
from appointments.services import open_times_find
from conditions.models import Condition, ConditionSection
from faq.models import Question
from practice.demo_content import PRACTICE, next_holiday
from practice.models import Closure, Location, OpeningHours, Practice, Surgeon

pytestmark = pytest.mark.django_db

MODELS = [
    Practice,
    Surgeon,
    Location,
    OpeningHours,
    Closure,
    Condition,
    ConditionSection,
    Question,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_changes_nothing_the_second_time(capsys):
    call_command("load_demo_content")
    first = counts()
    call_command("load_demo_content")

    assert counts() == first
    assert first["Condition"] == 4
    assert "nothing changed" in capsys.readouterr().out


def test_the_office_gets_requests_where_the_environment_says(settings):
    """The demo writes no recipients: OFFICE_EMAIL applies until staff set their own."""
    settings.OFFICE_EMAIL = ["front-desk@riverside-spine.org"]

    call_command("load_demo_content")

    assert Practice.get_solo().office_recipients == ""
    assert Practice.get_solo().get_office_recipients() == ["front-desk@riverside-spine.org"]


def test_a_visit_before_the_demo_loads_leaves_its_practice_details_to_it(client):
    client.get("/")  # the site makes the placeholder row it shows
    assert Practice.objects.get().name == "Our practice"

    call_command("load_demo_content")

    practice = Practice.get_solo()
    assert (practice.name, practice.phone) == (PRACTICE["name"], PRACTICE["phone"])
    assert practice.medical_disclaimer


def test_the_practices_own_details_are_never_replaced():
    Practice.objects.create(name="Riverside Spine")

    call_command("load_demo_content")

    assert Practice.get_solo().name == "Riverside Spine"
    assert Practice.get_solo().phone == ""


def test_staff_edits_survive_a_second_load():
    call_command("load_demo_content")
    Condition.objects.filter(slug="revision-spine-surgery").update(title="Edited by staff")

    call_command("load_demo_content")

    assert Condition.objects.get(slug="revision-spine-surgery").title == "Edited by staff"


def test_demo_page_has_every_part_of_a_condition_page(client):
    call_command("load_demo_content")

    condition = Condition.objects.get(slug="revision-spine-surgery")
    assert condition.is_published
    assert condition.is_featured
    assert condition.eyebrow == "Full-spine surgery"
    assert len(condition.other_names) == 4
    assert condition.reading_minutes >= 4
    assert condition.reviewed_by == Surgeon.objects.get(is_default=True)
    assert condition.last_reviewed_on is not None
    assert condition.sections.count() >= 8
    assert condition.approach
    assert condition.when_to_seek_opinion
    assert condition.questions.count() == 7
    assert condition.related_conditions.count() == 3
    assert Practice.get_solo().medical_disclaimer

    response = client.get(condition.get_absolute_url())
    assert response.status_code == 200
    assert "Revision spine surgery" in response.text


def test_demo_practice_has_a_surgeon_with_photo_two_locations_and_general_questions(client):
    call_command("load_demo_content")

    surgeon = Surgeon.objects.get()
    assert surgeon.is_default
    assert surgeon.photo
    assert surgeon.photo_alt
    assert len(surgeon.specialty_list) >= 3
    assert surgeon.affiliation_list
    assert client.get(surgeon.photo.url).status_code == 200
    locations = Location.objects.all()
    assert len(locations) == 2
    assert all(location.opening_hours.exists() for location in locations)
    assert Question.objects.filter(condition__isnull=True).count() >= 4
    assert Condition.objects.published().count() == 4


def test_demo_closes_every_location_on_the_next_holiday():
    call_command("load_demo_content")

    closure = Closure.objects.get()
    assert closure.location is None
    assert closure.starts_on == closure.ends_on > timezone.localdate()
    assert (closure.starts_on, closure.reason) == next_holiday(timezone.localdate())


@pytest.mark.parametrize(
    ("today", "holiday"),
    [
        (date(2026, 11, 26), (date(2026, 12, 25), "Christmas Day")),
        (date(2026, 12, 25), (date(2027, 1, 1), "New Year's Day")),
        (date(2027, 7, 3), (date(2027, 7, 4), "Independence Day")),
    ],
)
def test_next_holiday_is_the_first_after_today(today, holiday):
    assert next_holiday(today) == holiday


def test_demo_practice_details_load_after_the_first_migrate(
    media_root, django_capture_on_commit_callbacks
):
    # The first migrate of a new install writes the page for a database outage, before
    # any practice details exist: that leaves none behind for the loader to skip.
    Practice.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not Practice.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_content")

    practice = Practice.get_solo()
    assert (practice.name, practice.phone) == (PRACTICE["name"], PRACTICE["phone"])
    assert PRACTICE["phone"] in (media_root / "errors" / "503.html").read_text()


def test_the_demo_offers_open_times_for_its_online_visit_types():
    call_command("load_demo_content")

    online = VisitType.objects.bookable_online()
    offline = VisitType.objects.exclude(pk__in=online)
    found = {
        visit_type.slug: open_times_find(
            visit_type=visit_type, first_day=timezone.localdate(), days=14
        )
        for visit_type in VisitType.objects.all()
    }

    assert {v.slug for v in online} == {"follow-up", "check-after-surgery"}
    assert all(found[v.slug] for v in online)
    assert {o.location.name for o in found["follow-up"]} == {
        "Downtown clinic",
        "Riverside outpatient center",
    }
    assert offline.exists()
