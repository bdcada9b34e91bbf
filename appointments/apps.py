from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"

    def ready(self):
        # No page_cache.watch_models() here: a patient's request leaves the cached pages alone.
        from practice import attention

        from .attention import failed_emails, new_appointment_requests

        attention.register(new_appointment_requests, order=attention.PATIENTS_WAITING)
        attention.register(failed_emails, order=attention.FAILURES)

        # The open times keep a cache version of their own (open_times_cache.py): what they
        # are made of, and the names they show.
        from practice.models import Closure, Location, Surgeon

        from . import open_times_cache
        from .models import Appointment
        from .scheduling import ClinicSession, VisitType

        open_times_cache.watch_models(
            Appointment, ClinicSession, VisitType, Closure, Location, Surgeon
        )
