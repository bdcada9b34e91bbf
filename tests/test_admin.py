"""Every admin page a member of staff can reach loads, for every registered model."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from appointments.models import (
    AppointmentRequest,
    CalendarFeed,
    ClinicSession,
    Notification,
    VisitType,
    WaitlistEntry,
)
from conditions.models import Condition
from faq.models import Question
from practice.audit import AuditEntry
from practice.models import BackupRun, Closure, Location, Practice, Surgeon
from tests import factories
from tests.factories import ConditionFactory, SurgeonFactory
from tests.support.forms import PNG_1X1, admin_form_data

pytestmark = pytest.mark.django_db

FACTORIES = {
    Practice: factories.PracticeFactory,
    Surgeon: factories.SurgeonFactory,
    Location: factories.LocationFactory,
    Closure: factories.ClosureFactory,
    Condition: factories.ConditionFactory,
    Question: factories.QuestionFactory,
    AppointmentRequest: factories.AppointmentRequestFactory,
    Notification: factories.NotificationFactory,
    User: factories.UserFactory,
    Group: factories.GroupFactory,
    AccessAttempt: factories.AccessAttemptFactory,
    AccessFailureLog: factories.AccessFailureLogFactory,
    AccessLog: factories.AccessLogFactory,
    AuditEntry: factories.AuditEntryFactory,
    BackupRun: factories.BackupRunFactory,
    VisitType: factories.VisitTypeFactory,
    ClinicSession: factories.ClinicSessionFactory,
    CalendarFeed: factories.CalendarFeedFactory,
    WaitlistEntry: factories.WaitlistEntryFactory,
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_in_the_admin_is_tested_here():
    assert set(admin.site._registry) == set(FACTORIES)


# What a member of staff would type into each list's search box to find one row.
SEARCH_TERMS = {
    Surgeon: lambda surgeon: surgeon.name,
    Location: lambda location: f'"{location.name}"',
    Condition: lambda condition: condition.title,
    Question: lambda question: question.question,
    AppointmentRequest: lambda appointment_request: appointment_request.reference,
    Notification: lambda notification: notification.appointment_request.reference,
    User: lambda user: user.username,
    Group: lambda group: group.name,
    AuditEntry: lambda entry: entry.actor,
    VisitType: lambda visit_type: visit_type.name,
    CalendarFeed: lambda feed: feed.surgeon.name,
    WaitlistEntry: lambda entry: entry.appointment_request.reference,
}


@pytest.mark.parametrize("model", SEARCH_TERMS, ids=lambda model: model.__name__)
def test_changelist_lists_rows_and_search_finds_one(admin_client, model):
    wanted, other = FACTORIES[model](), FACTORIES[model]()

    listed = admin_client.get(admin_url(model, "changelist"))
    found = admin_client.get(admin_url(model, "changelist"), {"q": SEARCH_TERMS[model](wanted)})

    assert listed.status_code == 200
    assert {wanted, other} <= set(listed.context["cl"].result_list)
    assert list(found.context["cl"].result_list) == [wanted]


def test_practice_details_open_straight_on_their_form(admin_client):
    response = admin_client.get(admin_url(Practice, "changelist"), follow=True)

    assert response.status_code == 200
    assert "Office email recipients" in response.text


@pytest.mark.parametrize("model", FACTORIES, ids=lambda model: model.__name__)
def test_change_page_loads(admin_client, model):
    instance = FACTORIES[model]()

    response = admin_client.get(admin_url(model, "change", instance.pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [Surgeon, Location, Closure, Condition, Question, VisitType, ClinicSession, CalendarFeed],
    ids=lambda m: m.__name__,
)
def test_add_page_loads(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize(
    "model", [AppointmentRequest, Notification, WaitlistEntry], ids=lambda m: m.__name__
)
def test_patient_requests_cannot_be_made_up_in_the_admin(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 403


def test_request_page_shows_what_the_patient_sent_and_its_emails(admin_client):
    notification = factories.NotificationFactory()
    appointment_request = notification.appointment_request

    page = admin_client.get(admin_url(AppointmentRequest, "change", appointment_request.pk)).text

    assert appointment_request.reference in page
    assert appointment_request.full_name in page
    assert "It has hurt since my operation." in page
    assert "Office notification" in page
    assert "Waiting to send" in page


def test_staff_can_move_a_request_through_its_status(admin_client):
    appointment_request = factories.AppointmentRequestFactory()
    url = admin_url(AppointmentRequest, "change", appointment_request.pk)

    response = admin_client.post(url, admin_form_data(admin_client.get(url), status="contacted"))

    assert response.status_code == 302
    appointment_request.refresh_from_db()
    assert appointment_request.status == AppointmentRequest.Status.CONTACTED


def test_staff_create_a_condition_with_sections_and_its_reading_time_is_computed(admin_client):
    words = "<p>" + "word " * 390 + "</p>"
    response = admin_client.post(
        admin_url(Condition, "add"),
        {
            "title": "Spinal stenosis",
            "slug": "spinal-stenosis",
            "summary": "Narrowing of the spinal canal.",
            "is_published": "on",
            "sections-TOTAL_FORMS": "2",
            "sections-INITIAL_FORMS": "0",
            "sections-0-order": "1",
            "sections-0-heading": "What it is",
            "sections-0-body": words + "<script>alert(1)</script>",
            "sections-1-order": "2",
            "sections-1-heading": "Treatment",
            "sections-1-body": "<p>Often no operation is needed.</p>",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-0-order": "1",
            "questions-0-question": "Will I need surgery?",
            "questions-0-answer": "<p>Usually not.</p>",
            "questions-0-is_published": "on",
            "former_slugs-TOTAL_FORMS": "0",
            "former_slugs-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    condition = Condition.objects.get(slug="spinal-stenosis")
    assert condition.reading_minutes == 3
    assert [section.heading for section in condition.sections.all()] == [
        "What it is",
        "Treatment",
    ]
    assert "<script>" not in condition.sections.first().body
    assert condition.questions.get().question == "Will I need surgery?"


def test_condition_list_shows_drafts_schedules_and_reviews_due(admin_client):
    today = timezone.localdate()
    ConditionFactory(title="Live page", last_reviewed_on=today)
    ConditionFactory(title="Unfinished", is_published=False, last_reviewed_on=today)
    ConditionFactory(
        title="Coming soon",
        publish_at=timezone.now() + timedelta(days=2),
        last_reviewed_on=today - timedelta(days=800),
    )

    listed = admin_client.get(admin_url(Condition, "changelist"))
    due = admin_client.get(admin_url(Condition, "changelist"), {"review": "due"})

    rows = {row.title: row for row in listed.context["cl"].result_list}
    assert set(rows) == {"Live page", "Unfinished", "Coming soon"}
    assert "Draft" in listed.text
    assert "Scheduled for" in listed.text
    assert [condition.title for condition in due.context["cl"].result_list] == ["Coming soon"]


def test_draft_change_page_links_to_its_preview(admin_client):
    draft = ConditionFactory(is_published=False)

    page = admin_client.get(admin_url(Condition, "change", draft.pk)).text

    assert f'href="{draft.get_preview_url()}"' in page
    assert "Preview this page as patients will see it" in page


def test_new_condition_is_reviewed_by_the_default_surgeon(admin_client):
    SurgeonFactory(name="Dr. Other")
    default = SurgeonFactory(name="Dr. Default", is_default=True)

    response = admin_client.get(admin_url(Condition, "add"))

    assert response.context["adminform"].form.initial["reviewed_by"] == default.pk


def test_staff_add_a_location_with_its_opening_hours(admin_client, client):
    response = admin_client.post(
        admin_url(Location, "add"),
        {
            "name": "Riverside clinic",
            "phone": "+1 555 0101",
            "street_address": "200 Sample Avenue",
            "locality": "Riverside",
            "region": "ST",
            "postal_code": "00001",
            "country": "US",
            "order": "0",
            "is_published": "on",
            "opening_hours-TOTAL_FORMS": "2",
            "opening_hours-INITIAL_FORMS": "0",
            "opening_hours-0-weekday": "1",
            "opening_hours-0-opens": "09:00",
            "opening_hours-0-closes": "13:00",
            "opening_hours-1-weekday": "3",
            "opening_hours-1-opens": "14:00",
            "opening_hours-1-closes": "18:00",
        },
    )

    assert response.status_code == 302
    location = Location.objects.get()
    assert [str(period) for period in location.opening_hours.all()] == [
        "Tuesday 09:00–13:00",
        "Thursday 14:00–18:00",
    ]


def test_closing_before_opening_is_refused_at_the_row(admin_client):
    location = factories.LocationFactory()
    response = admin_client.post(
        admin_url(Location, "change", location.pk),
        {
            "name": location.name,
            "street_address": location.street_address,
            "locality": location.locality,
            "country": "US",
            "order": "0",
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-INITIAL_FORMS": "0",
            "opening_hours-0-weekday": "1",
            "opening_hours-0-opens": "17:00",
            "opening_hours-0-closes": "09:00",
        },
    )

    assert response.status_code == 200
    assert "The closing time must be after the opening time." in response.text
    assert not location.opening_hours.exists()


def test_a_photo_needs_a_description(admin_client):
    response = admin_client.post(
        admin_url(Surgeon, "add"),
        {
            "name": "Dr. New",
            "slug": "dr-new",
            "photo": SimpleUploadedFile("portrait.png", PNG_1X1, content_type="image/png"),
            "photo_alt": "",
            "is_published": "on",
        },
    )

    assert response.status_code == 200
    assert "Describe the photo for patients who cannot see it." in response.text
    assert not Surgeon.objects.exists()


def test_admin_index_counts_the_pages_due_for_medical_review(admin_client):
    ConditionFactory(last_reviewed_on=timezone.localdate())
    ConditionFactory(last_reviewed_on=None)
    ConditionFactory(last_reviewed_on=timezone.localdate() - timedelta(days=800))

    page = admin_client.get(reverse("admin:index")).text

    assert "2 condition pages are due for medical review" in page
    assert "/admin/conditions/condition/?review=due" in page


def test_admin_index_says_nothing_when_every_page_is_reviewed(admin_client):
    ConditionFactory(last_reviewed_on=timezone.localdate())

    assert "Needs attention" not in admin_client.get(reverse("admin:index")).text


def test_practice_details_edited_by_staff_show_on_the_next_page(admin_client, client):
    factories.PracticeFactory(phone="+1 555 0123")
    client.get(reverse("practice:home"))  # the details are now cached
    url = admin_url(Practice, "change", Practice.singleton_instance_id)

    response = admin_client.post(url, admin_form_data(admin_client.get(url), phone="+1 555 0199"))

    assert response.status_code == 302
    page = client.get(reverse("conditions:list")).text
    assert "+1 555 0199" in page
    assert "+1 555 0123" not in page


def test_opening_hours_edited_by_staff_show_on_the_next_page(admin_client, client):
    location = factories.OpeningHoursFactory(weekday=0, location__name="Riverside clinic").location
    factories.LocationFactory(name="Hilltop clinic")
    form_url = reverse("appointments:request")
    assert "Riverside clinic, Testville (Monday)" in client.get(form_url).text
    url = admin_url(Location, "change", location.pk)

    changes = {"opening_hours-0-weekday": "3", "opening_hours-0-DELETE": None}
    response = admin_client.post(url, admin_form_data(admin_client.get(url), **changes))

    assert response.status_code == 302
    assert "Riverside clinic, Testville (Thursday)" in client.get(form_url).text


def test_location_unpublished_by_staff_leaves_the_pages_at_once(admin_client, client):
    location = factories.LocationFactory(name="Riverside clinic")
    assert "Riverside clinic" in client.get(reverse("practice:home")).text
    url = admin_url(Location, "change", location.pk)

    changes = {"is_published": None}
    response = admin_client.post(url, admin_form_data(admin_client.get(url), **changes))

    assert response.status_code == 302
    assert "Riverside clinic" not in client.get(reverse("practice:home")).text


def test_table_of_contents_is_stored_when_staff_save_a_page(admin_client):
    condition = ConditionFactory(approach="<p>We plan with care.</p>")
    factories.ConditionSectionFactory(condition=condition, heading="What it is", order=1)
    factories.ConditionSectionFactory(condition=condition, heading="Recovery", order=2)
    url = admin_url(Condition, "change", condition.pk)
    changes = {"sections-1-heading": "Getting better", "sections-0-DELETE": "on"}

    response = admin_client.post(url, admin_form_data(admin_client.get(url), **changes))

    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.contents == [
        ["section-2-getting-better", "Getting better"],
        ["our-approach", "Our approach"],
    ]
