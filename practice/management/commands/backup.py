from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from practice.backups import BackupError
from practice.backups.archive import new_key
from practice.backups.services import backup_create


class Command(BaseCommand):
    help = (
        "Take a backup now: the database and MEDIA_ROOT, encrypted with BACKUP_KEY, into "
        "BACKUP_DIR. With --new-key, print a new BACKUP_KEY instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key", action="store_true", help="Print a new BACKUP_KEY; take no backup."
        )

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(new_key())
            self.stderr.write(
                "Set BACKUP_KEY to this line on every machine of the site, and keep a copy "
                "off the machine (a password manager, a sealed envelope): without it no "
                "backup can be restored."
            )
            return
        try:
            run = backup_create()
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written: {run.file_name} ({filesizeformat(run.size)}).")
