"""The checks a start runs first (`make up`, the systemd units)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "With debug off, `check --deploy`: print every warning, fail on an error. With "
        "--database, also check what is stored in the database (run it after migrate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", action="store_true", help="Check the stored details.")

    def handle(self, *args, **options):
        call_command(
            "check",
            deploy=not settings.DEBUG,
            databases=["default"] if options["database"] else None,
            fail_level="ERROR",
        )
