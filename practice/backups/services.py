"""Taking, pruning and restoring backups: what the commands, the nightly task and the
admin's front page call."""

import logging
import os
import shutil
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .. import audit
from ..models import BackupRun
from . import BackupError, archive, database

logger = logging.getLogger(__name__)

FILE_PATTERN = "practice-????????T??????Z.backup"
IN_PROGRESS = ".in-progress-"
# Far longer than any backup runs.
LEFTOVERS_KEPT = timedelta(days=1)
# Beat takes one a night: without a good one for this long, the admin says so.
OVERDUE_AFTER = timedelta(hours=26)


def backup_file_name(moment):
    """Sortable, in UTC: practice-20260301T073000Z.backup."""
    return f"practice-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}.backup"


def backup_create(*, run=None):
    """Take a backup into BACKUP_DIR and record it; after a good one, prune the oldest."""
    database.require_postgresql(connections["default"])
    run = run or BackupRun.objects.create()
    try:
        path = _write_backup(started=run.started_at)
    except BaseException as error:  # a time limit, Ctrl-C: recorded, then raised
        run.status = BackupRun.Status.FAILED
        run.error = str(error) or type(error).__name__
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        logger.error("Backup failed: %s", run.error, exc_info=not isinstance(error, BackupError))
        audit.record(audit.Action.BACKUP_FAILED, details={"backup": run.pk, "error": run.error})
        raise
    run.status = BackupRun.Status.SUCCEEDED
    run.file_name = path.name
    run.size = path.stat().st_size
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "file_name", "size", "finished_at"])
    logger.info("Backup written: %s (%d bytes)", path.name, run.size)
    audit.record(
        audit.Action.BACKUP_TAKEN,
        details={"backup": run.pk, "file": run.file_name, "bytes": run.size},
    )
    backup_prune(keep=settings.BACKUP_KEEP, newest=path)
    return run


def backup_nightly():
    """Tonight's backup, taken once however many machines' beats ask for it: the first to
    record the night takes it; the others find the night taken and do nothing."""
    database.require_postgresql(connections["default"])
    night = timezone.localdate()
    try:
        with transaction.atomic():
            run = BackupRun.objects.create(night=night)
    except IntegrityError:
        logger.info("The backup of the night of %s is taken already.", night)
        return None
    return backup_create(run=run)


def backup_prune(*, keep, newest):
    """Delete all but the `keep` newest backup files; never `newest`, the one just taken."""
    directory = newest.parent
    older = sorted((path for path in directory.glob(FILE_PATTERN) if path != newest), reverse=True)
    for path in older[max(keep - 1, 0) :]:
        path.unlink(missing_ok=True)
        logger.info("Backup deleted, the newest %d kept: %s", keep, path.name)
    # What a backup killed midway (its worker, the machine) left behind.
    stale = time.time() - LEFTOVERS_KEPT.total_seconds()
    for path in directory.glob(f"{IN_PROGRESS}*"):
        if path.stat().st_mtime < stale:
            shutil.rmtree(path, ignore_errors=True)


def backup_last_good():
    return BackupRun.objects.succeeded().order_by("-finished_at").first()


def backup_is_overdue(last_good):
    return last_good is None or last_good.finished_at < timezone.now() - OVERDUE_AFTER


def _write_backup(*, started):
    recipient = archive.key_identity(settings.BACKUP_KEY).to_public()
    connection = connections["default"]
    directory = Path(settings.BACKUP_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    final = directory / backup_file_name(started)
    if final.exists():
        raise BackupError(f"{final.name} exists already: take the next backup a second later.")
    media_root = Path(settings.MEDIA_ROOT)
    # Everything half-made stays in a folder of its own (0700), removed whatever happens:
    # only a finished file is ever renamed to a backup's name.
    with tempfile.TemporaryDirectory(dir=directory, prefix=IN_PROGRESS) as work:
        work = Path(work)
        dump = work / archive.DATABASE_DUMP
        # The backups' own history stays behind: a restored site has taken none yet.
        without_rows = [f"public.{BackupRun._meta.db_table}"]
        with database.exported_snapshot(connection, without_rows=without_rows) as snapshot:
            database.dump(connection, snapshot=snapshot, path=dump, without_rows=without_rows)
        manifest = {
            "format": archive.FORMAT,
            "created_at": started.astimezone(UTC).isoformat(),
            "row_counts": snapshot.row_counts,
            "migrations": snapshot.migrations,
            "media_files": _count_files(media_root),
        }
        partial = work / final.name
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "wb") as destination:
            archive.write(
                destination,
                recipient=recipient,
                manifest=manifest,
                database_dump=dump,
                media_root=media_root,
            )
            destination.flush()
            os.fsync(destination.fileno())
        partial.rename(final)
    return final


def backup_restore(*, path):
    """Restore a backup into the empty database that DATABASE_URL names, and its media into
    MEDIA_ROOT; return its manifest. Everything is checked before anything is written."""
    path = Path(path)
    connection = connections["default"]
    with tempfile.TemporaryDirectory(prefix="practice-restore-") as work:
        try:
            opened = _open_for_restore(path, connection=connection, work=Path(work))
            # One transaction: a failure leaves the database as empty as it was.
            database.restore(connection, opened.database_dump)
        except BackupError as error:
            logger.warning("Restore of %s refused: %s", path.name, error)
            raise BackupError(f"{error} Nothing was changed.") from None
        media_files = archive.extract_media(opened.tar_path, Path(settings.MEDIA_ROOT))
    manifest = opened.manifest
    if database.row_counts(connection) != manifest["row_counts"] or (
        media_files != manifest["media_files"]
    ):
        raise BackupError(
            f"{path.name} was restored, but what the database and MEDIA_ROOT now hold differs "
            "from what the backup's manifest lists: check the restored site before using it."
        )
    logger.info("Restored %s, taken %s", path.name, manifest["created_at"])
    # The chain as the backup kept it, before the restore adds its own entry to it.
    if problems := audit.verify():
        raise BackupError(
            f"{path.name} was restored, but its audit log does not verify: {problems[0]} "
            "Run `manage.py verify_audit_log` for every problem."
        )
    audit.record(
        audit.Action.BACKUP_RESTORED,
        details={"file": path.name, "taken_at": manifest["created_at"]},
    )
    return manifest


def _open_for_restore(path, *, connection, work):
    identity = archive.key_identity(settings.BACKUP_KEY)
    database.require_postgresql(connection)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    opened = archive.open_verified(path, identity=identity, work=work)
    database.check_dump(opened.database_dump)
    _require_known_migrations(opened.manifest, name=path.name)
    database.require_empty(connection)
    return opened


def _require_known_migrations(manifest, *, name):
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{app}.{migration}" for app, migration in manifest["migrations"]]
    unknown = [label for label in unknown if tuple(label.split(".", 1)) not in known]
    if unknown:
        raise BackupError(
            f"{name} was taken by a newer version of the site, whose database has changes "
            f"this code does not know ({', '.join(unknown[:3])}). Restore it with that "
            "version of the site, or a later one."
        )


def _count_files(root):
    """The regular files under `root`, as the archive keeps them (links are kept as links)."""
    return sum(1 for path in root.rglob("*") if path.is_file() and not path.is_symlink())
