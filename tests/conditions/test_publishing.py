"""Drafts, previews, scheduled publishing, renamed pages and medical review, as staff use them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conditions.models import Condition
from tests.factories import ConditionFactory, QuestionFactory, UserFactory
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return ConditionFactory(title="Spinal stenosis", slug="spinal-stenosis", is_published=False)


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_condition"))
    log_in_verified(client, user)
    return user


def test_draft_is_hidden_from_the_public_everywhere(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Spinal stenosis" not in client.get(reverse("conditions:list")).text
    assert "spinal-stenosis" not in client.get("/sitemap.xml").text
    assert "Spinal stenosis" not in client.get(reverse("practice:home")).text


def test_staff_preview_a_draft_with_its_questions(client, editor, draft):
    QuestionFactory(condition=draft, question="Will I need an operation?")

    response = client.get(draft.get_preview_url())

    assert response.status_code == 200
    assert "This page is a draft: patients cannot see it." in response.text
    assert "<h1>Spinal stenosis</h1>" in response.text
    assert "Will I need an operation?" in response.text
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_preview_sends_a_visitor_to_the_staff_login(client, draft):
    response = client.get(draft.get_preview_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_preview_is_refused_to_staff_without_permission_to_see_pages(client, draft):
    log_in_verified(client, UserFactory(is_staff=True))

    response = client.get(draft.get_preview_url())

    assert response.status_code == 403
    assert "You cannot open this page" in response.text


def test_staff_who_may_only_edit_pages_may_preview_them(client, draft):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_condition"))
    log_in_verified(client, user)

    assert client.get(draft.get_preview_url()).status_code == 200


def test_a_publication_time_without_publishing_is_refused(draft):
    draft.publish_at = timezone.now() + timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        draft.full_clean()

    assert "Tick “Published” as well" in error.value.message_dict["publish_at"][0]


def test_scheduled_page_appears_when_its_time_comes(
    client, draft, django_assert_num_queries, time_machine
):
    """With the pages cached: the page, the lists and the cache all read the one clock."""
    draft.is_published = True
    draft.publish_at = timezone.now() + timedelta(hours=1)
    draft.save()
    for _ in range(2):  # the list is now cached
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert "Spinal stenosis" not in client.get(reverse("conditions:list")).text

    time_machine.move_to(draft.publish_at, tick=False)

    assert client.get(draft.get_absolute_url()).status_code == 200
    assert "Spinal stenosis" in client.get(reverse("conditions:list")).text
    with django_assert_num_queries(0):  # and cached again, until staff next change something
        assert "Spinal stenosis" in client.get(reverse("conditions:list")).text


def test_a_scheduled_page_waits_until_its_very_moment(client, draft, time_machine):
    draft.is_published = True
    draft.publish_at = timezone.now() + timedelta(days=1)
    draft.save()

    time_machine.move_to(draft.publish_at - timedelta(seconds=1), tick=False)
    assert client.get(draft.get_absolute_url()).status_code == 404

    time_machine.move_to(draft.publish_at, tick=False)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_page_whose_time_has_just_come_shows_everywhere(client, draft):
    """Lists and the form's choices are built once per process; the time is read per query."""
    QuestionFactory(condition=draft, question="Will I need an operation?")
    for url in [reverse("conditions:list"), reverse("faq:list"), reverse("appointments:request")]:
        client.get(url)  # every view and form is loaded before the page goes live
    draft.is_published = True
    draft.publish_at = timezone.now()
    draft.save()

    form = client.get(reverse("appointments:request"), {"condition": "spinal-stenosis"})

    assert "Spinal stenosis" in client.get(reverse("conditions:list")).text
    assert "Will I need an operation?" in client.get(reverse("faq:list")).text
    assert form.context["form"]["condition"].value() == "spinal-stenosis"


def test_a_scheduled_page_is_dated_by_when_it_went_live(client, draft):
    draft.is_published = True
    draft.save()
    went_live = timezone.now()
    Condition.objects.filter(pk=draft.pk).update(publish_at=went_live)

    draft.refresh_from_db()

    assert draft.modified_at == went_live


def test_questions_of_a_scheduled_page_wait_with_it(client, draft):
    draft.is_published = True
    draft.publish_at = timezone.now() + timedelta(days=1)
    draft.save()
    QuestionFactory(condition=draft, question="Will I need an operation?")

    assert "Will I need an operation?" not in client.get(reverse("faq:list")).text


def test_renamed_published_page_redirects_permanently_from_its_old_address(client, condition):
    old_url = condition.get_absolute_url()
    condition.slug = "revision-surgery-of-the-spine"
    condition.save()

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == "/conditions/revision-surgery-of-the-spine/"
    assert client.get(response["Location"]).status_code == 200


def test_a_page_renamed_twice_redirects_from_both_old_addresses(client, condition):
    condition.slug = "second-name"
    condition.save()
    condition.slug = "third-name"
    condition.save()

    for old in ["revision-spine-surgery", "second-name"]:
        assert client.get(f"/conditions/{old}/")["Location"] == "/conditions/third-name/"


def test_renaming_back_to_an_old_address_serves_the_page_there(client, condition):
    condition.slug = "new-name"
    condition.save()
    condition.slug = "revision-spine-surgery"
    condition.save()

    assert client.get("/conditions/revision-spine-surgery/").status_code == 200
    assert client.get("/conditions/new-name/")["Location"] == "/conditions/revision-spine-surgery/"


def test_a_new_page_may_take_an_old_address(client, condition):
    condition.slug = "new-name"
    condition.save()

    newcomer = ConditionFactory(title="Newcomer", slug="revision-spine-surgery")

    response = client.get("/conditions/revision-spine-surgery/")
    assert response.status_code == 200
    assert response.context["condition"] == newcomer


def test_renaming_a_never_published_draft_leaves_no_redirect(client, draft):
    draft.slug = "lumbar-stenosis"
    draft.save()
    draft.is_published = True
    draft.save()

    assert client.get("/conditions/spinal-stenosis/").status_code == 404
    assert not draft.former_slugs.exists()


def test_fixing_the_slug_while_first_publishing_leaves_no_redirect(client, draft):
    draft.slug = "lumbar-stenosis"
    draft.is_published = True
    draft.save()

    assert not draft.former_slugs.exists()


def test_redirect_keeps_the_query_string(client, condition):
    condition.slug = "new-name"
    condition.save()

    response = client.get("/conditions/revision-spine-surgery/", {"utm_source": "leaflet"})

    assert response["Location"] == "/conditions/new-name/?utm_source=leaflet"


def test_a_page_renamed_while_back_in_draft_keeps_its_old_address(client, condition):
    condition.is_published = False
    condition.save()
    condition.slug = "new-name"
    condition.save()
    condition.is_published = True
    condition.save()

    assert client.get("/conditions/revision-spine-surgery/")["Location"] == "/conditions/new-name/"


def test_old_address_of_a_page_taken_back_to_draft_is_not_found(client, condition):
    condition.slug = "new-name"
    condition.save()
    condition.is_published = False
    condition.save()

    assert client.get("/conditions/revision-spine-surgery/").status_code == 404


def test_review_is_due_when_older_than_the_interval_or_never_done(settings):
    settings.MEDICAL_REVIEW_INTERVAL = timedelta(days=365)
    today = timezone.localdate()
    recent = ConditionFactory(last_reviewed_on=today - timedelta(days=364))
    old = ConditionFactory(last_reviewed_on=today - timedelta(days=366))
    never = ConditionFactory(last_reviewed_on=None)

    assert set(Condition.objects.review_due()) == {old, never}
    assert [recent.is_review_due, old.is_review_due, never.is_review_due] == [False, True, True]


def test_search_engines_get_the_staff_written_title_and_description(client, condition):
    condition.meta_title = "Revision spine surgery: when a second operation helps"
    condition.meta_description = "A short description for search results."
    condition.save()

    page = client.get(condition.get_absolute_url()).text

    assert "<title>Revision spine surgery: when a second operation helps · " in page
    assert '<meta name="description" content="A short description for search results.">' in page
    assert "<h1>Revision spine surgery</h1>" in page
