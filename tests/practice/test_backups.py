"""The restore drill, as the README tells the practice to run it: `manage.py backup`, then
`manage.py restore` into a new, empty database, each in a process of its own, against the
real PostgreSQL; and every way a restore is refused without changing anything."""

import hashlib
import os
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from appointments.models import AppointmentRequest, Notification
from practice import audit
from practice.audit import AuditChain, AuditEntry
from practice.backups.archive import new_key
from practice.models import BackupRun
from tests import factories
from tests.practice.test_deployment import manage, production_environment
from tests.support.forms import png_image

KEY = new_key()
BACKUP_RUNS = f"public.{BackupRun._meta.db_table}"
AUDIT_TABLES = [f"public.{model._meta.db_table}" for model in [AuditEntry, AuditChain]]
AUDIT_SEQUENCE = f"{AuditEntry._meta.db_table}_id_seq"


def database_url(name):
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{name}"


def connect(name):
    parameters = connection.get_connection_params() | {"dbname": name}
    parameters.pop("cursor_factory", None)
    server = psycopg2.connect(**parameters)
    server.autocommit = True
    return server


def query(name, sql):
    with closing(connect(name)) as server, server.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []


def tables(name):
    return [
        table
        for (table,) in query(name, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]


def fingerprint(name):
    """Each table's row count and a checksum of its rows, and where each id sequence is."""
    rows = {
        f"public.{table}": query(
            name,
            "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            f' FROM "{table}" t',
        )[0]
        for table in tables(name)
    }
    sequences = dict(
        query(name, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    )
    return rows, sequences


def files(root):
    """Each media file's path and SHA-256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def site(**changes):
    """The environment of one of the practice's machines, for `manage.py` in a process."""
    return production_environment(**({"BACKUP_KEY": KEY} | changes))


@pytest.fixture
def empty_database():
    """A new database, as the restore drill makes with createdb; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    query("postgres", f'CREATE DATABASE "{name}"')
    yield name
    query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.BACKUP_KEY = KEY
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings


def fill_the_practice():
    """A working practice: its details, the surgeon's photo, pages, requests being worked,
    the outbox, a member of staff."""
    factories.PracticeFactory()
    factories.SurgeonFactory(
        photo=SimpleUploadedFile("portrait.png", png_image(4, 5), content_type="image/png"),
        photo_alt="The surgeon, smiling",
    )
    page = factories.ConditionFactory(title="Revision spine surgery")
    factories.ConditionSectionFactory(condition=page)
    factories.QuestionFactory(condition=page)
    for request in factories.AppointmentRequestFactory.create_batch(3, condition=page):
        factories.StatusChangeFactory(appointment_request=request)
        factories.NotificationFactory(appointment_request=request)
    factories.OfficeNoteFactory()
    factories.AppointmentFactory()
    factories.ClosureFactory()
    factories.UserFactory()
    for request in AppointmentRequest.objects.all():
        factories.AuditEntryFactory(appointment_requests=[request])
    factories.AuditEntryFactory(action=audit.Action.REQUESTS_EXPORTED, details={"rows": 5})


def audit_entries(name):
    return query(
        name,
        "SELECT id, at, action, actor, appointment_requests::text, details::text,"
        " previous_hash, hash FROM practice_auditentry ORDER BY id",
    )


def assert_the_audit_log_restored(entries, name, environment):
    """Every entry as it was, then the restore's own; and the chain verifies."""
    restored = audit_entries(name)
    assert restored[:-1] == entries
    assert restored[-1][2] == audit.Action.BACKUP_RESTORED
    verified = manage("verify_audit_log", environment=environment)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"The audit log verifies: {len(restored)} entries, whole." in verified.stdout


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_as_it_was(empty_database, media_root, tmp_path):
    fill_the_practice()
    live = connection.settings_dict["NAME"]
    (before, sequences_before), entries = fingerprint(live), audit_entries(live)
    backup_dir = tmp_path / "backups"
    source = site(
        DATABASE_URL=database_url(live),
        MEDIA_ROOT=str(media_root),
        BACKUP_DIR=str(backup_dir),
    )

    backup = manage("backup", environment=source)

    assert backup.returncode == 0, backup.stderr
    [archive] = backup_dir.glob("practice-*.backup")
    assert f"Backup written: {archive.name}" in backup.stdout
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert oct(backup_dir.stat().st_mode & 0o777) == "0o700"
    assert [path.name for path in backup_dir.iterdir()] == [archive.name]  # nothing left over
    assert audit_entries(live)[-1][2] == audit.Action.BACKUP_TAKEN

    restored_media = tmp_path / "restored-media"
    target = site(
        DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(restored_media), BACKUP_DIR=""
    )
    restore = manage("restore", str(archive), environment=target)

    assert restore.returncode == 0, restore.stderr
    assert "Restored the backup taken at" in restore.stdout
    after, sequences_after = fingerprint(empty_database)
    # Every request, outbox row, page and login as it was; the backups' own record stays
    # behind, for the restored site has taken none yet.
    assert after.pop(BACKUP_RUNS) == (0, hashlib.md5(b"").hexdigest())
    before.pop(BACKUP_RUNS)
    for audit_table in AUDIT_TABLES:  # compared below, entry by entry
        before.pop(audit_table), after.pop(audit_table)
    for sequence in [AUDIT_SEQUENCE, f"{BackupRun._meta.db_table}_id_seq"]:
        sequences_before.pop(sequence), sequences_after.pop(sequence)
    assert after == before
    assert after["public.appointments_appointmentrequest"][0] == AppointmentRequest.objects.count()
    assert after["public.appointments_notification"][0] == Notification.objects.count() == 3
    assert sequences_after == sequences_before
    photos = files(media_root)
    assert any(name.startswith("surgeons/") for name in photos)
    assert files(restored_media) == photos
    assert_the_audit_log_restored(entries, empty_database, target)


@pytest.fixture
def backup_file(backup_settings, media_root):
    """A backup of the test database, with a photo in its media."""
    (media_root / "surgeons").mkdir(parents=True)
    (media_root / "surgeons" / "portrait.png").write_bytes(png_image())
    call_command("backup", verbosity=0)
    [path] = Path(backup_settings.BACKUP_DIR).glob("practice-*.backup")
    return path


def cut_short(path):
    damaged = path.with_name("cut-short.backup")
    damaged.write_bytes(path.read_bytes()[:-1000])
    return damaged


def one_byte_changed(path):
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    damaged = path.with_name("changed.backup")
    damaged.write_bytes(content)
    return damaged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "key", "message"),
    [
        (cut_short, KEY, "is damaged: it is cut short (an incomplete copy) or was changed"),
        (one_byte_changed, KEY, "is damaged: it is cut short (an incomplete copy) or was changed"),
        (None, new_key(), "was encrypted with another key: BACKUP_KEY does not open it"),
        (None, "", "BACKUP_KEY is not set"),
    ],
    ids=["cut short", "one byte changed", "another key", "no key"],
)
def test_a_backup_that_cannot_be_trusted_is_refused_and_changes_nothing(
    backup_file, empty_database, tmp_path, damage, key, message
):
    path = damage(backup_file) if damage else backup_file
    restored_media = tmp_path / "restored-media"
    target = site(
        DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(restored_media), BACKUP_KEY=key
    )

    result = manage("restore", str(path), environment=target)

    assert result.returncode == 1
    assert message in result.stderr
    assert "Nothing was changed." in result.stderr
    # Logged, for whoever reads the logs later.
    assert f"WARNING practice.backups.services Restore of {path.name} refused" in result.stderr
    assert tables(empty_database) == []
    assert not restored_media.exists()


@pytest.mark.django_db(transaction=True)
def test_a_restore_never_writes_into_a_database_that_holds_requests(
    backup_file, media_root, tmp_path
):
    factories.AppointmentRequestFactory()
    live = connection.settings_dict["NAME"]
    before = fingerprint(live), files(media_root)

    result = manage(
        "restore",
        str(backup_file),
        environment=site(DATABASE_URL=database_url(live), MEDIA_ROOT=str(media_root)),
    )

    assert result.returncode == 1
    assert (
        f"The database “{live}” is not empty: it holds 1 appointment request, in " in result.stderr
    )
    assert "create one (createdb), name it in DATABASE_URL" in result.stderr
    assert (fingerprint(live), files(media_root)) == before


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_a_newer_version_of_the_site_is_refused(
    backup_settings, empty_database, tmp_path
):
    query(
        connection.settings_dict["NAME"],
        "INSERT INTO django_migrations (app, name, applied)"
        " VALUES ('appointments', '9999_from_a_later_version', now())",
    )
    try:
        call_command("backup", verbosity=0)
    finally:
        query(
            connection.settings_dict["NAME"],
            "DELETE FROM django_migrations WHERE name = '9999_from_a_later_version'",
        )
    [path] = Path(backup_settings.BACKUP_DIR).glob("practice-*.backup")

    result = manage(
        "restore",
        str(path),
        environment=site(
            DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(tmp_path / "media")
        ),
    )

    assert result.returncode == 1
    assert "was taken by a newer version of the site" in result.stderr
    assert "appointments.9999_from_a_later_version" in result.stderr
    assert tables(empty_database) == []


def test_a_file_that_is_no_backup_is_refused(backup_settings, tmp_path):
    path = tmp_path / "holiday-photos.zip"
    path.write_bytes(os.urandom(2000))

    with pytest.raises(CommandError, match="is not a backup of the site"):
        call_command("restore", str(path))


@pytest.mark.django_db(transaction=True)
def test_a_restore_says_so_when_the_backups_audit_log_does_not_verify(
    backup_settings, empty_database, tmp_path
):
    entry = factories.AuditEntryFactory()
    # Changed behind the site's back before the backup was taken.
    query(
        connection.settings_dict["NAME"],
        f"UPDATE practice_auditentry SET actor = 'someone-else' WHERE id = {entry.pk}",
    )
    call_command("backup", verbosity=0)
    [path] = Path(backup_settings.BACKUP_DIR).glob("practice-*.backup")

    result = manage(
        "restore",
        str(path),
        environment=site(
            DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(tmp_path / "media")
        ),
    )

    assert result.returncode == 1
    assert f"was restored, but its audit log does not verify: Entry {entry.pk} was changed" in (
        result.stderr
    )
