from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    name = "conditions"

    def ready(self):
        from practice import page_cache

        page_cache.watch_models(*self.get_models())
        page_cache.watch_schedule(self.get_model("Condition").objects.next_publication)
