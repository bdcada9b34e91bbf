from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from appointments import services
from appointments.models import AppointmentRequest


class Command(BaseCommand):
    help = (
        "Remove the patient's details from appointment requests nobody has worked on for "
        "APPOINTMENT_RETENTION_DAYS. Celery beat runs this every night."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the requests; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.APPOINTMENT_RETENTION_DAYS
        if dry_run:
            count = AppointmentRequest.objects.past_retention(timezone.now()).count()
            self.stdout.write(f"{count} requests are older than {days} days (nothing changed).")
            return
        count = services.appointment_request_anonymise_past_retention()
        self.stdout.write(f"Anonymised {count} requests older than {days} days.")
