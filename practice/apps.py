from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from .groups import sync_groups

        # After every migrate (and every test-database flush), so a new install, a deploy
        # and each test start with the staff groups as practice/groups.py describes them.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="practice.sync_groups")
