from django.core.management.base import BaseCommand, CommandError

from practice import audit
from practice.audit import AuditEntry


class Command(BaseCommand):
    help = (
        "Check that the audit log is whole: every entry as it was written, none missing "
        "and none added behind the site's back. Exits with status 1 when it is not."
    )

    def handle(self, *args, **options):
        problems = audit.verify()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit log does not verify: {len(problems)} problem(s).")
        self.stdout.write(f"The audit log verifies: {AuditEntry.objects.count()} entries, whole.")
