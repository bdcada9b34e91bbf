from django.core.management.base import BaseCommand, CommandError

from practice.backups import BackupError
from practice.backups.services import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the new, empty database that DATABASE_URL names, and its "
        "media into MEDIA_ROOT. Needs the BACKUP_KEY it was taken with."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file (practice-….backup).")

    def handle(self, *args, **options):
        try:
            manifest = backup_restore(path=options["backup"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup taken at {manifest['created_at']}: "
            f"{sum(manifest['row_counts'].values())} rows in {len(manifest['row_counts'])} "
            f"tables, {manifest['media_files']} media files."
        )
