import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from practice.pages import PageMixin

from . import links, services, spam, waitlist_links
from .booking import (
    OnlineBookingForm,
    PreferredTimesForm,
    VisitChoiceForm,
    Week,
    last_bookable_day,
    monday_of,
)
from .form_page_cache import KeptFormPageMixin
from .forms import AppointmentRequestForm
from .models import Appointment, VisitType

# The thanks page shows the reference of the request this browser has just sent, and
# repeats the emergency advice when the patient ticked an emergency symptom.
# Kept an hour: long enough to read the page again, and the nightly task deletes it after.
REFERENCE_SESSION_KEY = "appointment_reference"
URGENT_SESSION_KEY = "appointment_is_urgent"
BOOKED_SESSION_KEY = "appointment_booked"
THANKS_SESSION_SECONDS = 60 * 60


# Each showing of the form carries a CSRF token and a submission key and stamp of its own:
# never kept by a browser or a shared cache (practice/page_cache.py caches only other pages);
# the site keeps the page without them (form_page_cache.py).
@method_decorator(never_cache, name="dispatch")
class AppointmentRequestView(KeptFormPageMixin, PageMixin, FormView):
    template_name = "appointments/request_form.html"
    form_class = AppointmentRequestForm
    page_title = "Book an appointment"
    meta_description = (
        "Ask for an appointment online. The office will call you back to agree a time."
    )

    def get_breadcrumbs(self):
        return [("Book an appointment", None)]

    # Step one, by GET: the visit type (and week) decide whether the patient books. Read
    # only when the page is rendered: a kept page needs neither.
    @cached_property
    def visit_choice(self):
        return VisitChoiceForm(self.request.GET, list(VisitType.objects.all()))

    @cached_property
    def visit_type(self):
        return self.visit_choice.chosen

    def get_initial(self):
        return {"condition": self.request.GET.get("condition", "")}

    def get_form_class(self):
        if self.visit_type is None:
            return AppointmentRequestForm
        return OnlineBookingForm if self.visit_type.is_bookable_online else PreferredTimesForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.visit_type:
            kwargs |= {"visit_type": self.visit_type, "week": self.chosen_week()}
        return kwargs

    def week_query(self):
        query = {"visit_type": self.visit_type.slug}
        if condition := self.request.GET.get("condition"):
            query["condition"] = condition
        return query

    def chosen_week(self):
        """The week asked for (kept within the booking horizon), or the first with a time."""
        asked = self.visit_choice.cleaned_data.get("week")
        if asked is None:
            return Week.first_open(self.visit_type, timezone.localdate(), self.week_query())
        first = monday_of(timezone.localdate())
        asked = min(max(asked, first), last_bookable_day())
        return Week.of(self.visit_type, asked, self.week_query())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(visit_choice=self.visit_choice, **kwargs)
        if self.visit_type:
            context["week"] = week = context["form"].week
            context["form_action"] = reverse("appointments:request") + week.url_of(week.first_day)
        return context

    def form_valid(self, form):
        fields = form.request_fields()
        wait = spam.rate_limit_wait(self.request, submission_key=fields["submission_key"])
        if wait:
            return self.too_many_requests(wait)
        open_time = form.cleaned_data.get("start")
        booked = None
        if open_time is not None and not fields["red_flags"]:
            try:
                appointment_request = services.appointment_request_book_online(
                    open_time=open_time, **fields
                )
            except ValidationError as error:
                # Nothing was saved: the patient chooses again, from the next open times.
                form.time_has_gone(error)
                return self.form_invalid(form)
        else:
            appointment_request = services.appointment_request_create(**fields)
        if self.visit_type:  # booked now, or by the first of two taps
            booked = appointment_request.current_appointment()
        self.request.session[REFERENCE_SESSION_KEY] = appointment_request.reference
        self.request.session[URGENT_SESSION_KEY] = appointment_request.is_urgent
        self.request.session[BOOKED_SESSION_KEY] = booked.pk if booked else None
        if not self.request.user.is_authenticated:
            self.request.session.set_expiry(THANKS_SESSION_SECONDS)
        return redirect("appointments:thanks")

    def too_many_requests(self, wait):
        response = render(
            self.request,
            "appointments/too_many_requests.html",
            {
                "page_title": "Please call us",
                "limit": settings.APPOINTMENT_REQUESTS_PER_HOUR,
                "minutes": math.ceil(wait / 60),
                "noindex": True,
            },
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response


@method_decorator(never_cache, name="dispatch")
class ThanksView(PageMixin, TemplateView):
    template_name = "appointments/thanks.html"
    page_title = "Request received"

    def get_page_title(self):
        if self.request.session.get(BOOKED_SESSION_KEY):
            return gettext("Appointment booked")
        return self.page_title

    def get_context_data(self, **kwargs):
        booked = self.request.session.get(BOOKED_SESSION_KEY)
        appointment = (
            Appointment.objects.filter(pk=booked)
            .select_related("location", "appointment_request")
            .first()
            if booked
            else None
        )
        return super().get_context_data(
            reference=self.request.session.get(REFERENCE_SESSION_KEY),
            is_urgent=self.request.session.get(URGENT_SESSION_KEY, False),
            appointment=appointment,
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class ManageAppointmentView(PageMixin, TemplateView):
    """Where the link in a confirmation leads: cancel, or ask for another time, no login.

    Nothing changes on GET, so a mail scanner that follows the link cancels nothing.
    """

    template_name = "appointments/manage.html"
    page_title = "Your appointment"
    ACTIONS = {
        "cancel": services.appointment_cancel_by_patient,
        "new_time": services.appointment_ask_for_another_time,
        "waitlist": services.waitlist_join,
    }

    def dispatch(self, request, *args, **kwargs):
        try:
            self.appointment = links.appointment_from_token(kwargs["token"])
        except links.LinkInvalid:
            return self.link_problem("appointments/link_invalid.html", status=400)
        except links.LinkExpired:
            return self.link_problem("appointments/link_expired.html", status=410)
        response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def link_problem(self, template_name, status):
        response = render(self.request, template_name, {"noindex": True}, status=status)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def post(self, request, *args, **kwargs):
        name = request.POST.get("action")
        action = self.ACTIONS.get(name)
        if action is not None and action(appointment=self.appointment):
            return redirect(f"{request.path}?{urlencode({'done': name})}")
        # Too late (already moved or cancelled), or no button: show how things stand.
        return redirect(request.path)

    def get_context_data(self, **kwargs):
        appointment_request = self.appointment.appointment_request
        waitlist_entry = appointment_request.waitlist_entries.waiting().first()
        return super().get_context_data(
            appointment=self.appointment,
            appointment_request=appointment_request,
            done=self.request.GET.get("done"),
            noindex=True,
            move_path=reverse("appointments:move", args=[self.kwargs["token"]]),
            waitlist_entry=waitlist_entry,
            leave_waitlist_path=waitlist_entry and waitlist_links.leave_path(waitlist_entry),
            **kwargs,
        )
