"""The audit log: who saw, exported or changed which patient's request, kept whole."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.models import AppointmentRequest
from practice import audit, page_cache
from practice.audit import AuditChain, AuditEntry
from practice.groups import CONTENT_EDITORS, OFFICE_STAFF, PRIVACY_OFFICERS
from tests.factories import (
    AppointmentRequestFactory,
    AuditEntryFactory,
    NotificationFactory,
    UserFactory,
)
from tests.support.forms import admin_form_data
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

Action = audit.Action
PATIENT_NAME = "Ana María Núñez"
REQUESTS = "admin:appointments_appointmentrequest"


def signed_in(client, group_name, **user_fields):
    user = UserFactory(**user_fields)
    user.groups.add(Group.objects.get(name=group_name))
    log_in_verified(client, user)
    client.user = user
    return client


@pytest.fixture
def office(client):
    return signed_in(client, OFFICE_STAFF, username="frontdesk", email="desk@practice.test")


@pytest.fixture
def privacy_officer(client):
    return signed_in(client, PRIVACY_OFFICERS, username="privacy", email="privacy@practice.test")


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def entry_text(entry):
    return " ".join(
        str(value)
        for value in [entry.actor, entry.address, entry.appointment_requests, entry.details]
    )


def test_opening_a_request_records_who_when_from_where_and_which(office):
    patient = AppointmentRequestFactory(full_name=PATIENT_NAME)

    office.get(reverse(f"{REQUESTS}_change", args=[patient.pk]), REMOTE_ADDR="203.0.113.9")

    [entry] = entries(Action.REQUEST_VIEWED)
    assert entry.actor == "frontdesk"
    assert entry.address == "203.0.113.9"
    assert entry.appointment_requests == [[patient.pk, patient.reference]]
    assert timezone.now() - entry.at < timedelta(minutes=1)
    assert "Ana" not in entry_text(entry)


def test_a_forged_forwarded_address_is_not_what_the_log_believes(office):
    patient = AppointmentRequestFactory()

    office.get(
        reverse(f"{REQUESTS}_change", args=[patient.pk]),
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )

    assert entries(Action.REQUEST_VIEWED)[0].address == "203.0.113.9"


def test_a_list_records_its_search_filters_and_how_many_it_found(office):
    AppointmentRequestFactory(full_name=PATIENT_NAME, status="new")
    AppointmentRequestFactory(full_name="Someone Else", status="new")

    office.get(reverse(f"{REQUESTS}_changelist"), {"q": "Núñez", "status__exact": "new"})

    [entry] = entries(Action.REQUESTS_LISTED)
    assert entry.details == {"search": "Núñez", "filters": {"status__exact": "new"}, "count": 1}
    assert entry.appointment_requests == []


def test_an_export_records_every_request_it_held(office):
    exported = AppointmentRequestFactory.create_batch(3)

    response = office.get(reverse(f"{REQUESTS}_export"))

    assert response.status_code == 200
    [entry] = entries(Action.REQUESTS_EXPORTED)
    assert sorted(entry.appointment_requests) == sorted(
        [request.pk, request.reference] for request in exported
    )
    assert entry.details["count"] == 3
    assert mail.outbox == []


def test_an_export_of_more_than_fifty_patients_emails_the_privacy_officers(
    office, settings, django_capture_on_commit_callbacks
):
    officer = UserFactory(email="privacy@practice.test")
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICERS))
    UserFactory(email="editor@practice.test").groups.add(Group.objects.get(name=CONTENT_EDITORS))
    AppointmentRequestFactory.create_batch(51, full_name=PATIENT_NAME)

    with django_capture_on_commit_callbacks(execute=True):
        office.get(reverse(f"{REQUESTS}_export"), {"q": "Núñez"})

    [alert] = mail.outbox
    assert alert.to == ["privacy@practice.test"]
    assert alert.subject == "Privacy: frontdesk exported 51 appointment requests"
    assert "Search: Núñez" in alert.body
    assert alert.message()["Message-ID"].endswith("@example.com>")
    assert "https://practice.test/admin/practice/auditentry/?q=frontdesk" in alert.body


def test_fifty_patients_exported_alert_nobody(office, django_capture_on_commit_callbacks):
    UserFactory(email="privacy@practice.test").groups.add(Group.objects.get(name=PRIVACY_OFFICERS))
    AppointmentRequestFactory.create_batch(50)

    with django_capture_on_commit_callbacks(execute=True):
        office.get(reverse(f"{REQUESTS}_export"))

    assert mail.outbox == []


def test_a_status_change_in_the_admin_records_from_and_to(office):
    patient = AppointmentRequestFactory()
    url = reverse(f"{REQUESTS}_change", args=[patient.pk])

    office.post(url, admin_form_data(office.get(url), status="contacted"))

    [entry] = entries(Action.REQUEST_STATUS_CHANGED)
    assert entry.actor == "frontdesk"
    assert entry.details == {"from": "new", "to": "contacted", "by_patient": False}
    assert entry.appointment_requests == [[patient.pk, patient.reference]]


def test_sending_an_email_again_records_the_emails_and_their_requests(office):
    failed = NotificationFactory(status="failed")

    office.post(
        reverse("admin:appointments_notification_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )

    [entry] = entries(Action.EMAILS_SENT_AGAIN)
    request = failed.appointment_request
    assert entry.appointment_requests == [[request.pk, request.reference]]
    assert entry.details == {"emails": [failed.pk], "queued": 1}


def test_anonymisation_records_which_requests_it_emptied(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 365
    old = AppointmentRequestFactory(full_name=PATIENT_NAME)
    AppointmentRequest.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=400)
    )

    services.appointment_request_anonymise_past_retention()

    [entry] = entries(Action.REQUESTS_ANONYMISED)
    assert entry.actor == ""
    assert entry.appointment_requests == [[old.pk, old.reference]]
    assert "Ana" not in entry_text(entry)


def test_privacy_officers_read_and_export_the_log(privacy_officer):
    AuditEntryFactory(actor="frontdesk", action=Action.REQUESTS_EXPORTED)

    listed = privacy_officer.get(reverse("admin:practice_auditentry_changelist"))
    exported = privacy_officer.get(reverse("admin:practice_auditentry_export"))

    assert listed.status_code == 200
    assert "Requests exported" in listed.text
    assert "Export this entry as CSV" in listed.text
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Entry", "When (UTC)", "Action", "Who"]
    assert ["request.exported", "frontdesk"] in [row[2:4] for row in rows[1:]]
    assert entries(Action.AUDIT_LOG_EXPORTED)[0].actor == "privacy"


@pytest.mark.parametrize("group_name", [OFFICE_STAFF, CONTENT_EDITORS])
def test_the_office_and_editors_cannot_read_the_log(client, group_name):
    signed_in(client, group_name)

    assert client.get(reverse("admin:practice_auditentry_changelist")).status_code == 403
    assert client.get(reverse("admin:practice_auditentry_export")).status_code == 403


def test_nobody_changes_or_deletes_an_entry_through_the_app(admin_client):
    entry = AuditEntryFactory()
    change_url = reverse("admin:practice_auditentry_change", args=[entry.pk])

    admin_client.post(change_url, {"actor": "someone-else"})
    deleted = admin_client.post(
        reverse("admin:practice_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert deleted.status_code == 403
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor="someone-else")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    entry.actor = "someone-else"
    with pytest.raises(TypeError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).actor != "someone-else"


def raw_sql(sql, *parameters):
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def verify_audit_log():
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


def test_the_chain_verifies_when_whole():
    AuditEntryFactory.create_batch(5)

    assert verify_audit_log() == "The audit log verifies: 5 entries, whole.\n"


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            lambda first, middle, last: raw_sql(
                "UPDATE practice_auditentry SET actor = 'nobody' WHERE id = %s", middle.pk
            ),
            "Entry {middle} was changed after it was written.",
        ),
        (
            lambda first, middle, last: raw_sql(
                "DELETE FROM practice_auditentry WHERE id = %s", middle.pk
            ),
            "Entries are missing or were added after entry {first}",
        ),
        (
            lambda first, middle, last: raw_sql(
                "DELETE FROM practice_auditentry WHERE id = %s", last.pk
            ),
            "The last entries after entry {middle} are missing.",
        ),
        (
            lambda first, middle, last: raw_sql(
                "DELETE FROM practice_auditentry WHERE id = %s", first.pk
            ),
            "Entries are missing or were added at the start",
        ),
    ],
    ids=["edited", "middle-deleted", "last-deleted", "first-deleted"],
)
def test_an_edit_or_a_gap_made_behind_the_apps_back_is_found(tamper, problem):
    first, middle, last = AuditEntryFactory.create_batch(3)

    tamper(first, middle, last)

    with pytest.raises(CommandError, match="does not verify"):
        verify_audit_log()
    assert problem.format(first=first.pk, middle=middle.pk) in " ".join(audit.verify())


def test_entries_older_than_six_years_expire_and_the_chain_still_verifies(time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=6 * 365 + 10), tick=False)
    old = AuditEntryFactory.create_batch(2)
    time_machine.move_to(timezone.now() + timedelta(days=6 * 365 + 10), tick=False)
    recent = AuditEntryFactory()

    assert audit.expire() == 2

    assert not AuditEntry.objects.filter(pk__in=[entry.pk for entry in old]).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
    assert AuditChain.objects.get().start_hash == old[-1].hash
    [expiry] = entries(Action.AUDIT_LOG_EXPIRED)
    assert expiry.details["deleted"] == 2
    assert audit.verify() == []


def test_reading_a_request_leaves_the_public_pages_cache_alone(office, practice):
    patient = AppointmentRequestFactory()
    cache.set(page_cache.VERSION_KEY, {"token": "kept", "until": None})

    office.get(reverse(f"{REQUESTS}_change", args=[patient.pk]))

    assert entries(Action.REQUEST_VIEWED)
    assert cache.get(page_cache.VERSION_KEY) == {"token": "kept", "until": None}
