from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self):
        from .groups import sync_groups
        from .models import Location, OpeningHours, Practice
        from .page_cache import forget_content
        from .selectors import forget_practice_details

        # After every migrate (and every test-database flush), so a new install, a deploy
        # and each test start with the staff groups as practice/groups.py describes them.
        post_migrate.connect(sync_groups, sender=self, dispatch_uid="practice.sync_groups")
        # A deploy runs migrate: its templates and static files' addresses show at once.
        post_migrate.connect(forget_content, sender=self, dispatch_uid="pages.deploy")

        # Every page shows the practice's cached details. Signals rather than save() and
        # delete(), because the admin's “delete selected” action and the cascade from a
        # location to its hours delete rows without calling delete().
        for model in [Practice, Location, OpeningHours]:
            for signal in [post_save, post_delete]:
                signal.connect(forget_practice_details, sender=model)

        # The cached pages (practice/page_cache.py) show the content of these apps: any
        # change to any of their rows, or to a page's related conditions, starts a new
        # content version. The appointments app is not among them, so that a patient's
        # request leaves the cached pages alone.
        for label in ["conditions", "faq", "practice"]:
            for model in apps.get_app_config(label).get_models():
                for signal in [post_save, post_delete]:
                    signal.connect(
                        forget_content, sender=model, dispatch_uid=f"pages.{model._meta.label}"
                    )
                for field in model._meta.local_many_to_many:
                    m2m_changed.connect(
                        forget_content,
                        sender=field.remote_field.through,
                        dispatch_uid=f"pages.{field}",
                    )
