"""The patient's own changes, with the links in their emails and no login: moving to
another open time, and the waitlist's offer of an earlier time and way off it.

Nothing changes on GET, so a mail scanner that follows a link changes nothing.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from practice.pages import PageMixin

from . import links, services, waitlist_links
from .move_form import MoveForm
from .services.open_times import open_times_find
from .services.requests import BOOKING_LIMIT
from .views import ManageAppointmentView

WEEK = timedelta(days=7)


class MoveAppointmentView(ManageAppointmentView):
    """Open times of the same visit type and place, a week at a time; a new time on POST."""

    template_name = "appointments/move.html"
    page_title = _("Move your appointment")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=MoveForm(appointment=self.appointment))
        )

    def post(self, request, *args, **kwargs):
        form = MoveForm(request.POST, appointment=self.appointment)
        if self.appointment.patient_may_move and form.is_valid():
            try:
                moved_to = services.appointment_move_by_patient(
                    appointment=self.appointment, open_time=form.cleaned_data["start"]
                )
            except ValidationError as error:
                form.add_error("start", error)
            else:
                return redirect(manage_path(moved_to, done="moved"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        first_day = self.week_start()
        context = super().get_context_data(**kwargs)
        if not self.appointment.patient_may_move:
            return context
        found = open_times_find(
            visit_type=self.appointment.visit_type,
            first_day=first_day,
            days=7,
            location=self.appointment.location,
        )
        days = {}
        for open_time in found:
            days.setdefault(open_time.local_start.date(), []).append(open_time)
        today = timezone.localdate()
        return context | {
            "days": sorted(days.items()),
            "week": first_day,
            "earlier_week": first_day - WEEK if first_day > today else None,
            "later_week": first_day + WEEK if first_day + WEEK < today + BOOKING_LIMIT else None,
            "chosen": self.request.POST.get("start", ""),
        }

    def week_start(self):
        """The first day of the week shown: ?week=YYYY-MM-DD, from today on."""
        today = timezone.localdate()
        try:
            chosen = date.fromisoformat(self.request.GET.get("week", ""))
        except ValueError:
            return today
        return min(max(chosen, today), today + BOOKING_LIMIT)


def manage_path(appointment, *, done):
    return f"{links.manage_path(appointment)}?{urlencode({'done': done})}"


class WaitlistLinkView(PageMixin, TemplateView):
    """A waitlist email's link: what it names, or a clear page when it names nothing."""

    def dispatch(self, request, *args, **kwargs):
        try:
            self.named = self.from_token(kwargs["token"])
        except links.LinkInvalid:
            response = render(
                request, "appointments/link_invalid.html", {"noindex": True}, status=400
            )
        else:
            response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(noindex=True, **kwargs)


@method_decorator(never_cache, name="dispatch")
class WaitlistOfferView(WaitlistLinkView):
    """An earlier time offered to a waitlisted patient: shown on GET, taken on POST, once."""

    template_name = "appointments/waitlist_offer.html"
    page_title = _("An earlier time")
    from_token = staticmethod(waitlist_links.offer_from_token)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(), status=self.status())

    def post(self, request, *args, **kwargs):
        try:
            appointment = services.waitlist_offer_accept(offer=self.named)
        except ValidationError as error:
            self.named.refresh_from_db()
            # 409 while the offer stands (or was taken by this patient), 410 once it has gone.
            status = 409 if self.status() == 200 else 410
            context = self.get_context_data(error=error.messages[0])
            return self.render_to_response(context, status=status)
        return redirect(manage_path(appointment, done="moved"))

    def status(self):
        offer = self.named
        return 200 if offer.is_open() or offer.status == offer.Status.ACCEPTED else 410

    def get_context_data(self, **kwargs):
        offer = self.named
        return super().get_context_data(
            offer=offer,
            current_appointment=offer.entry.appointment_request.current_appointment(),
            appointment_request=offer.entry.appointment_request,
            leave_path=waitlist_links.leave_path(offer.entry),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
class WaitlistLeaveView(WaitlistLinkView):
    """Every waitlist email's way off the waitlist: a button to press, then done."""

    template_name = "appointments/waitlist_leave.html"
    page_title = _("Leave the waitlist")
    from_token = staticmethod(waitlist_links.entry_from_token)

    def post(self, request, *args, **kwargs):
        services.waitlist_leave(entry=self.named)
        return redirect(f"{request.path}?done=1")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entry=self.named, done=self.request.GET.get("done") == "1", **kwargs
        )
