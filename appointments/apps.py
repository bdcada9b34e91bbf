from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"

    def ready(self):
        # No page_cache.watch_models() here: a patient's request leaves the cached pages alone.
        from practice import attention

        from .attention import failed_emails, new_appointment_requests

        attention.register(new_appointment_requests, order=attention.PATIENTS_WAITING)
        attention.register(failed_emails, order=attention.FAILURES)
