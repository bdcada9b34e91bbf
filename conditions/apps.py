from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "conditions"

    def ready(self):
        from practice import attention, page_cache

        from .attention import pages_due_for_review

        page_cache.watch_models(*self.get_models())
        page_cache.watch_schedule(self.get_model("Condition").objects.next_publication)
        attention.register(pages_due_for_review, order=attention.UPKEEP)
