from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, post_save


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from . import checks, page_cache, unavailable  # noqa: F401 (checks registers itself)
        from .groups import sync_groups
        from .models import AuditChain, AuditEntry, BackupRun, Location, OpeningHours, Practice
        from .selectors import forget_practice_details

        # After every migrate (and every test-database flush), so a new install, a deploy
        # and each test start with the staff groups as practice/groups.py describes them.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="practice.sync_groups")
        # A deploy runs migrate: its templates and static files' addresses show at once.
        post_migrate.connect(page_cache.forget_content, sender=self, dispatch_uid="pages.deploy")
        # The page for when the database is down, for the site and the front, kept current.
        post_migrate.connect(unavailable.write_page, sender=self, dispatch_uid="practice.503")
        post_save.connect(unavailable.practice_saved, sender=Practice, dispatch_uid="practice.503")

        # Every page shows the practice's cached details. Signals rather than save() and
        # delete(), because the admin's “delete selected” action and the cascade from a
        # location to its hours delete rows without calling delete().
        for model in [Practice, Location, OpeningHours]:
            for signal in [post_save, post_delete]:
                signal.connect(forget_practice_details, sender=model)
        # The audit log and the backups' records are no page's content: staff reading a
        # request, or the nightly backup, leave the public pages' cache alone.
        records = {AuditChain, AuditEntry, BackupRun}
        page_cache.watch_models(*(model for model in self.get_models() if model not in records))


class PracticeAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the practice's own site: staff give a code after the password."""

    # Named in INSTALLED_APPS; "practice" alone still means PracticeConfig.
    default = False
    default_site = "practice.admin_site.PracticeAdminSite"


class StaffLoginsConfig(axes_apps.AppConfig):
    """django-axes, under a name the office reads on the admin's front page."""

    default = False
    verbose_name = "Staff logins"
