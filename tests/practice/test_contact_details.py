"""The email and phone numbers that patients' emails carry (Reply-To, "call us on"): only
the office's managers change them, whatever a content editor posts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from practice.groups import CONTENT_EDITORS, OFFICE_MANAGERS, OFFICE_STAFF
from practice.models import Location, Practice
from tests.factories import LocationFactory, PracticeFactory, UserFactory
from tests.support.forms import admin_form_data
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

WHO_MAY_CHANGE = "Only the office's managers can change"


@pytest.fixture
def practice():
    return PracticeFactory(email="hello@practice.test", phone="+1 555 0123")


@pytest.fixture
def clinic():
    return LocationFactory(name="Riverside clinic", phone="+1 555 0150")


def logged_in(client, group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    log_in_verified(client, user)
    return client


def practice_url():
    return reverse("admin:practice_practice_change", args=[Practice.singleton_instance_id])


def location_url(location):
    return reverse("admin:practice_location_change", args=[location.pk])


@pytest.mark.parametrize("group_name", [CONTENT_EDITORS, OFFICE_STAFF])
def test_an_editor_or_the_front_desk_sees_the_contact_details_and_who_may_change_them(
    client, practice, group_name
):
    page = logged_in(client, group_name).get(practice_url())

    assert page.status_code == 200
    assert {"email", "phone"}.isdisjoint(page.context["adminform"].form.fields)
    assert "hello@practice.test" in page.text
    assert "+1 555 0123" in page.text
    assert WHO_MAY_CHANGE in page.text


def test_a_forged_post_by_an_editor_changes_no_contact_detail(client, practice):
    editor = logged_in(client, CONTENT_EDITORS)
    data = admin_form_data(
        editor.get(practice_url()),
        name="Riverside Spine",
        email="replies@elsewhere.test",
        phone="+1 555 9999",
    )

    response = editor.post(practice_url(), data)

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name == "Riverside Spine"
    assert practice.email == "hello@practice.test"
    assert practice.phone == "+1 555 0123"


def test_a_forged_post_by_an_editor_changes_no_clinics_phone(client, clinic):
    editor = logged_in(client, CONTENT_EDITORS)
    page = editor.get(location_url(clinic))
    data = admin_form_data(page, hours_note="Closed on public holidays", phone="+1 555 9999")

    response = editor.post(location_url(clinic), data)

    assert WHO_MAY_CHANGE in page.text
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.hours_note == "Closed on public holidays"
    assert clinic.phone == "+1 555 0150"


def test_a_clinic_an_editor_adds_has_no_phone_until_a_manager_gives_it_one(client):
    editor = logged_in(client, CONTENT_EDITORS)
    url = reverse("admin:practice_location_add")
    data = admin_form_data(
        editor.get(url),
        name="Downtown clinic",
        street_address="2 Main Street",
        locality="Testville",
        phone="+1 555 9999",
    )

    response = editor.post(url, data)

    assert response.status_code == 302
    assert Location.objects.get(name="Downtown clinic").phone == ""


@pytest.mark.parametrize("user", ["manager", "superuser"])
def test_a_manager_or_a_superuser_changes_the_contact_details(client, practice, clinic, user):
    if user == "manager":
        logged_in(client, OFFICE_MANAGERS)
    else:
        log_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    page = client.get(practice_url())
    assert WHO_MAY_CHANGE not in page.text
    data = admin_form_data(page, email="appointments@practice.test", phone="+1 555 0100")

    assert client.post(practice_url(), data).status_code == 302
    data = admin_form_data(client.get(location_url(clinic)), phone="+1 555 0151")
    assert client.post(location_url(clinic), data).status_code == 302

    practice.refresh_from_db()
    clinic.refresh_from_db()
    assert (practice.email, practice.phone) == ("appointments@practice.test", "+1 555 0100")
    assert clinic.phone == "+1 555 0151"
