"""Patients' clinical answers and the office's notes are encrypted in the database
(practice/field_encryption.py): a copy of the database shows none of them, staff read them
as typed, and a new key takes over from an old one without a value lost."""

import io
import subprocess
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.models import AppointmentRequest, OfficeNote
from practice.audit import AuditEntry
from practice.field_encryption import decrypt
from tests.factories import AppointmentRequestFactory, OfficeNoteFactory, UserFactory
from tests.support.environment import require
from tests.support.tasks import database_url

pytestmark = pytest.mark.django_db

CLINICAL_COLUMNS = [
    "had_spine_surgery",
    "surgery_year",
    "surgery_level",
    "surgery_place",
    "imaging",
    "imaging_age",
    "referring_doctor",
    "red_flags",
    "message",
]
ANSWERS = {
    "had_spine_surgery": True,
    "surgery_year": 2019,
    "surgery_level": "lumbar",
    "surgery_place": "Saint Brannoch Infirmary",
    "imaging": ["mri", "ct"],
    "imaging_age": "over_a_year",
    "referring_doctor": "Dr. Ysolde Marchbank",
    "red_flags": ["saddle_numbness"],
    "message": "Numbness since the Wexcombe fall.\nWorse at night.",
}
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored(model, pk, column):
    """What the database holds in `column`, as a copy of it would show."""
    table, column = (connection.ops.quote_name(name) for name in (model._meta.db_table, column))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def answers_of(appointment_request):
    return {name: getattr(appointment_request, name) for name in ANSWERS}


def database_dump():
    require(connection.vendor == "postgresql", "pg_dump needs PostgreSQL (DATABASE_URL)")
    result = subprocess.run(
        ["pg_dump", "--no-owner", database_url(connection.settings_dict)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_clinical_answers_typed_in_the_form_are_not_in_a_dump_of_the_database(
    client, valid_form_data
):
    answers = valid_form_data | {
        "full_name": "Theodora Quillfeather",
        "surgery_place": "Saint Brannoch Infirmary",
        "referring_doctor": "Dr. Ysolde Marchbank",
        "message": "Numbness since the Wexcombe fall.",
        "red_flags": ["saddle_numbness"],
    }
    assert client.post(reverse("appointments:request"), answers).status_code == 302
    appointment_request = AppointmentRequest.objects.get()
    services.office_note_create(
        appointment_request=appointment_request,
        text="Mentioned Zephyrine tablets on the phone.",
        author=UserFactory(),
    )

    dump = database_dump()

    assert "Theodora Quillfeather" in dump
    for clinical in ["Brannoch", "Marchbank", "Wexcombe", "saddle_numbness", "Zephyrine"]:
        assert clinical not in dump
    assert appointment_request.surgery_place == "Saint Brannoch Infirmary"
    assert appointment_request.red_flags == ["saddle_numbness"]


def test_every_clinical_column_holds_a_token_and_reads_back_as_typed():
    appointment_request = AppointmentRequestFactory(**ANSWERS)

    for column in CLINICAL_COLUMNS:
        token = stored(AppointmentRequest, appointment_request.pk, column)
        assert token.startswith("gAAAAA"), column
        assert decrypt(token) == ANSWERS[column]
    assert answers_of(AppointmentRequest.objects.get()) == ANSWERS


def test_an_empty_answer_stays_empty_and_null_stays_null():
    appointment_request = AppointmentRequestFactory(had_spine_surgery=False, surgery_year=None)

    assert stored(AppointmentRequest, appointment_request.pk, "surgery_year") is None
    assert AppointmentRequest.objects.filter(surgery_year__isnull=True).get() == appointment_request
    fresh = AppointmentRequest.objects.get()
    assert (fresh.had_spine_surgery, fresh.surgery_place, fresh.imaging) == (False, "", [])


@pytest.mark.parametrize(
    "lookup",
    [
        {"message__icontains": "pain"},
        {"message": "It has hurt since my operation."},
        {"surgery_place__startswith": "Saint"},
        {"red_flags__contains": ["leg_weakness"]},
        {"red_flags__0": "leg_weakness"},
        {"had_spine_surgery": True},
        {"surgery_year__gte": 2000},
        {"notes__text__icontains": "voicemail"},
    ],
)
def test_a_lookup_on_an_encrypted_answer_is_refused_rather_than_compared_with_tokens(lookup):
    OfficeNoteFactory()

    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(AppointmentRequest.objects.filter(**lookup))


def test_an_update_in_bulk_is_encrypted_too(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 365
    appointment_request = AppointmentRequestFactory(**ANSWERS)
    AppointmentRequest.objects.filter(pk=appointment_request.pk).update(
        updated_at=timezone.now() - timedelta(days=400)
    )

    assert services.appointment_request_anonymise_past_retention() == 1

    for column in ["surgery_place", "referring_doctor", "message", "red_flags", "imaging"]:
        token = stored(AppointmentRequest, appointment_request.pk, column)
        assert token.startswith("gAAAAA"), column
        assert decrypt(token) in ("", []), column
    appointment_request.refresh_from_db()
    assert (appointment_request.message, appointment_request.red_flags) == ("", [])


def test_answers_written_under_an_old_key_read_after_a_new_one_goes_first_and_move_to_it(
    settings,
):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    first = AppointmentRequestFactory(**ANSWERS)
    second = AppointmentRequestFactory(**ANSWERS)
    OfficeNoteFactory(appointment_request=first, text="Called back; spoke to her daughter.")

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        AppointmentRequest.objects.get(pk=first.pk)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert answers_of(AppointmentRequest.objects.get(pk=first.pk)) == ANSWERS
    output = io.StringIO()
    call_command("rotate_field_keys", "--batch-size", "1", stdout=output)
    assert "Re-encrypted 19 values with the first key" in output.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    for appointment_request in (first, second):
        assert answers_of(AppointmentRequest.objects.get(pk=appointment_request.pk)) == ANSWERS
    assert OfficeNote.objects.get().text == "Called back; spoke to her daughter."
    again = io.StringIO()
    call_command("rotate_field_keys", stdout=again)
    assert "Re-encrypted 0 values" in again.getvalue()
    rotations = AuditEntry.objects.filter(action="keys.rotated").order_by("pk")
    assert [entry.details for entry in rotations] == [{"values": 19}, {"values": 0}]


def test_rotating_stops_on_a_value_no_key_reads(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    AppointmentRequestFactory()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(CommandError, match="decrypts with none of FIELD_ENCRYPTION_KEYS"):
        call_command("rotate_field_keys", stdout=io.StringIO())


BEFORE = [("appointments", "0004_appointment_link_key")]
ENCRYPTED = [("appointments", "0005_encrypt_clinical_answers")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_answers_there_and_its_reverse_decrypts_them():
    plain_apps = migrate(BEFORE)
    try:
        PlainRequest = plain_apps.get_model("appointments", "AppointmentRequest")
        PlainNote = plain_apps.get_model("appointments", "OfficeNote")
        patient = {
            "full_name": "Theodora Quillfeather",
            "email": "theodora@patient.test",
            "phone": "+12015550177",
            "preferred_date": timezone.localdate(),
            "consent_wording": "I agree.",
            "consented_at": timezone.now(),
        }
        answered = PlainRequest.objects.create(**patient, **ANSWERS)
        unanswered = PlainRequest.objects.create(
            **patient | {"email": "other@patient.test"}, had_spine_surgery=False
        )
        PlainNote.objects.create(appointment_request=answered, text="Wexcombe GP letter.")

        migrate(ENCRYPTED)

        # Today's model, reading only the columns that migration 0005 knows.
        as_encrypted = AppointmentRequest.objects.only(*CLINICAL_COLUMNS)
        assert answers_of(as_encrypted.get(pk=answered.pk)) == ANSWERS
        blank = as_encrypted.get(pk=unanswered.pk)
        assert (blank.had_spine_surgery, blank.surgery_year, blank.red_flags) == (False, None, [])
        assert OfficeNote.objects.get().text == "Wexcombe GP letter."
        for column in CLINICAL_COLUMNS:
            assert decrypt(stored(AppointmentRequest, answered.pk, column)) == ANSWERS[column]
        assert stored(OfficeNote, OfficeNote.objects.get().pk, "text").startswith("gAAAAA")

        plain_apps = migrate(BEFORE)

        PlainRequest = plain_apps.get_model("appointments", "AppointmentRequest")
        assert answers_of(PlainRequest.objects.get(pk=answered.pk)) == ANSWERS
        assert stored(AppointmentRequest, answered.pk, "surgery_place") == ANSWERS["surgery_place"]
        assert PlainRequest.objects.get(pk=unanswered.pk).had_spine_surgery is False
        PlainNote = plain_apps.get_model("appointments", "OfficeNote")
        assert PlainNote.objects.get().text == "Wexcombe GP letter."
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
