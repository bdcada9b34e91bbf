from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from practice.breadcrumbs import BreadcrumbsMixin

from . import services
from .forms import AppointmentRequestForm

# The thanks page shows the reference of the request this browser has just sent.
REFERENCE_SESSION_KEY = "appointment_reference"


class AppointmentRequestView(BreadcrumbsMixin, FormView):
    template_name = "appointments/request_form.html"
    form_class = AppointmentRequestForm

    def get_breadcrumbs(self):
        return [("Book an appointment", None)]

    def get_initial(self):
        return {"condition": self.request.GET.get("condition", "")}

    def form_valid(self, form):
        appointment_request = services.appointment_request_create(**form.request_fields())
        self.request.session[REFERENCE_SESSION_KEY] = appointment_request.reference
        return redirect("appointments:thanks")


class ThanksView(TemplateView):
    template_name = "appointments/thanks.html"

    def get_context_data(self, **kwargs):
        reference = self.request.session.get(REFERENCE_SESSION_KEY)
        return super().get_context_data(reference=reference, **kwargs)
