from django.apps import AppConfig


class FaqConfig(AppConfig):
    name = "faq"
    verbose_name = "Frequently asked questions"

    def ready(self):
        from practice import page_cache

        page_cache.watch_models(*self.get_models())
