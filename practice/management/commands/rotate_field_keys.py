"""Re-encrypt the encrypted fields with the first of FIELD_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from practice import audit
from practice.field_encryption import encrypted_fields, rotate_keys


class Command(BaseCommand):
    help = (
        "Encrypt every encrypted value with the first of FIELD_ENCRYPTION_KEYS, so that the "
        "keys after it can be dropped. Values the first key encrypted already are left as "
        "they are: running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows read and locked at a time."
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for model in apps.get_models():
            if not encrypted_fields(model):
                continue
            try:
                count = rotate_keys(model, batch_size=batch_size)
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{model._meta.label}: {count} re-encrypted.")
            total += count
        audit.record(audit.Action.FIELD_KEYS_ROTATED, details={"values": total})
        self.stdout.write(
            f"Re-encrypted {total} value{'' if total == 1 else 's'} with the first key; every "
            "value now reads with the first key alone."
        )
