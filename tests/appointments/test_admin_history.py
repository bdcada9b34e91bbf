"""The admin names a request by its reference alone: in its messages, which travel in a
signed but readable cookie, and in its own history, which outlives the patient's details."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group
from django.contrib.messages.storage.cookie import CookieStorage, MessageSerializer
from django.core import signing
from django.urls import reverse

from appointments.models import AppointmentRequest
from practice.groups import OFFICE_STAFF
from tests.factories import AppointmentRequestFactory, ConditionFactory, UserFactory
from tests.support.forms import admin_form_data
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

NAME = "Ana Núñez"


@pytest.fixture
def appointment_request():
    return AppointmentRequestFactory(full_name=NAME)


def change_url(appointment_request):
    return reverse("admin:appointments_appointmentrequest_change", args=[appointment_request.pk])


def messages_in_cookie(response):
    """What anyone holding the browser's cookie reads: it is signed, not encrypted."""
    value = response.cookies[CookieStorage.cookie_name].value
    signer = signing.get_cookie_signer(salt=CookieStorage.key_salt)
    return [str(message) for message in signer.unsign_object(value, serializer=MessageSerializer)]


def test_a_request_saved_in_the_admin_is_named_by_its_reference_alone(client, appointment_request):
    office_user = UserFactory()
    office_user.groups.add(Group.objects.get(name=OFFICE_STAFF))
    log_in_verified(client, office_user)
    page = client.get(change_url(appointment_request))

    response = client.post(
        change_url(appointment_request),
        admin_form_data(page, status=AppointmentRequest.Status.CONTACTED),
    )

    assert response.status_code == 302
    [message] = messages_in_cookie(response)
    assert appointment_request.reference in message
    assert "Ana" not in message
    [entry] = LogEntry.objects.filter(action_flag=CHANGE)
    assert entry.object_repr == appointment_request.reference
    assert "Ana" not in entry.get_change_message()


def test_a_request_deleted_in_the_admin_leaves_only_its_reference(client, appointment_request):
    log_in_verified(client, UserFactory(is_superuser=True))
    url = reverse("admin:appointments_appointmentrequest_delete", args=[appointment_request.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not AppointmentRequest.objects.exists()
    assert not any("Ana" in message for message in messages_in_cookie(response))
    [entry] = LogEntry.objects.filter(action_flag=DELETION)
    assert entry.object_repr == appointment_request.reference


def test_the_history_already_kept_is_rewritten_to_the_references(appointment_request):
    gone = AppointmentRequestFactory(full_name="Bo Quill")
    staff = UserFactory()
    LogEntry.objects.log_actions(staff.pk, [appointment_request, gone], CHANGE)
    LogEntry.objects.log_actions(staff.pk, [ConditionFactory(title="Scoliosis")], CHANGE)
    LogEntry.objects.update(object_repr=f"{appointment_request.reference} {NAME}")
    LogEntry.objects.filter(object_id=str(gone.pk)).update(object_repr=f"{gone.reference} Bo Quill")
    LogEntry.objects.exclude(content_type__app_label="appointments").update(object_repr="Scoliosis")
    gone.delete()

    migration = import_module("appointments.migrations.0007_admin_history_names_references")
    migration.name_requests_by_their_references(apps, None)

    assert sorted(LogEntry.objects.values_list("object_repr", flat=True)) == sorted(
        [appointment_request.reference, gone.reference, "Scoliosis"]
    )
