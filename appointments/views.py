from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView

from practice.pages import PageMixin

from . import services
from .forms import AppointmentRequestForm

# The thanks page shows the reference of the request this browser has just sent.
REFERENCE_SESSION_KEY = "appointment_reference"


class AppointmentRequestView(PageMixin, FormView):
    template_name = "appointments/request_form.html"
    form_class = AppointmentRequestForm
    page_title = "Book an appointment"
    meta_description = (
        "Ask for an appointment online. The office will call you back to agree a time."
    )

    def get_breadcrumbs(self):
        return [("Book an appointment", None)]

    def get_initial(self):
        return {"condition": self.request.GET.get("condition", "")}

    def form_valid(self, form):
        appointment_request = services.appointment_request_create(**form.request_fields())
        self.request.session[REFERENCE_SESSION_KEY] = appointment_request.reference
        return redirect("appointments:thanks")


class ThanksView(PageMixin, TemplateView):
    template_name = "appointments/thanks.html"
    page_title = "Request received"

    def get_context_data(self, **kwargs):
        reference = self.request.session.get(REFERENCE_SESSION_KEY)
        return super().get_context_data(reference=reference, **kwargs)
