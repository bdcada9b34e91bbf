"""The nightly backup: Celery beat asks on every machine, one backup is taken; the newest
BACKUP_KEEP stay; a failure is recorded and deletes nothing."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command

from practice import audit
from practice.audit import AuditEntry
from practice.backups.archive import new_key
from practice.models import BackupRun
from practice.tasks import take_nightly_backup

pytestmark = pytest.mark.django_db

NIGHT = datetime(2026, 3, 2, 2, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.BACKUP_KEY = new_key()
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def backup_files(directory):
    return sorted(path.name for path in Path(directory).glob("practice-*.backup"))


def test_two_beats_asking_for_the_same_night_take_one_backup(backup_dir, time_machine):
    time_machine.move_to(NIGHT)
    take_nightly_backup.delay()
    time_machine.move_to(NIGHT + timedelta(seconds=2))
    take_nightly_backup.delay()

    assert backup_files(backup_dir) == ["practice-20260302T073000Z.backup"]
    [run] = BackupRun.objects.all()
    assert (run.night, run.status) == (NIGHT.date(), BackupRun.Status.SUCCEEDED)
    [entry] = AuditEntry.objects.all()
    assert entry.action == audit.Action.BACKUP_TAKEN
    assert entry.details["file"] == "practice-20260302T073000Z.backup"


def test_the_next_night_takes_its_own_backup(backup_dir, time_machine):
    time_machine.move_to(NIGHT)
    take_nightly_backup.delay()
    time_machine.move_to(NIGHT + timedelta(days=1))
    take_nightly_backup.delay()

    assert backup_files(backup_dir) == [
        "practice-20260302T073000Z.backup",
        "practice-20260303T073000Z.backup",
    ]


def test_beat_asks_for_the_backup_at_night_and_it_has_time_limits_of_its_own():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-backup"]

    assert entry["task"] == take_nightly_backup.name
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert take_nightly_backup.soft_time_limit == 30 * 60 < take_nightly_backup.time_limit
    assert take_nightly_backup.time_limit > settings.CELERY_TASK_TIME_LIMIT


def take_backups(time_machine, days):
    for day in days:
        time_machine.move_to(NIGHT + timedelta(days=day))
        call_command("backup", verbosity=0)


def test_a_good_backup_keeps_the_newest_backup_keep(backup_dir, settings, time_machine):
    settings.BACKUP_KEEP = 3

    take_backups(time_machine, range(5))

    assert backup_files(backup_dir) == [
        "practice-20260304T073000Z.backup",
        "practice-20260305T073000Z.backup",
        "practice-20260306T073000Z.backup",
    ]


def test_the_backup_just_taken_is_kept_even_when_the_clock_went_back(
    backup_dir, settings, time_machine
):
    settings.BACKUP_KEEP = 2
    take_backups(time_machine, [1, 2, 3])

    take_backups(time_machine, [0])

    assert backup_files(backup_dir) == [
        "practice-20260302T073000Z.backup",
        "practice-20260305T073000Z.backup",
    ]


def test_a_failed_backup_is_recorded_and_deletes_nothing(backup_dir, settings, time_machine):
    take_backups(time_machine, [0, 1, 2])
    settings.BACKUP_KEEP = 1
    settings.BACKUP_KEY = "AGE-SECRET-KEY-1NOTAKEY"
    time_machine.move_to(NIGHT + timedelta(days=3))

    with pytest.raises(CommandError, match="BACKUP_KEY is not an age secret key"):
        call_command("backup", verbosity=0)

    assert len(backup_files(backup_dir)) == 3
    failed = BackupRun.objects.first()
    assert failed.status == BackupRun.Status.FAILED
    assert "BACKUP_KEY is not an age secret key" in failed.error
    assert AuditEntry.objects.first().action == audit.Action.BACKUP_FAILED
    assert sorted(backup_dir.iterdir()) == sorted(backup_dir.glob("practice-*.backup"))


def test_backups_are_refused_without_a_key_and_nothing_is_written(backup_dir, settings):
    settings.BACKUP_KEY = ""

    with pytest.raises(CommandError, match="BACKUP_KEY is not set"):
        call_command("backup", verbosity=0)

    assert backup_files(backup_dir) == []
