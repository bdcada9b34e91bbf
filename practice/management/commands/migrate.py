"""`migrate`, one machine at a time.

Several web machines started at once (a deploy, a reboot) each run `migrate`; on
PostgreSQL a session-level advisory lock makes the others wait, then find nothing left to
do, instead of racing to create the same tables.
"""

import zlib

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

LOCK_ID = zlib.crc32(b"practice.migrate")


class Command(MigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
