from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "conditions"

    def ready(self):
        from practice import attention, home, page_cache

        from .attention import pages_due_for_review

        conditions = self.get_model("Condition").objects
        page_cache.watch_models(*self.get_models())
        page_cache.watch_schedule(conditions.next_publication)
        home.show_on_home("conditions/_home_section.html", conditions.featured)
        attention.register(pages_due_for_review, order=attention.UPKEEP)
