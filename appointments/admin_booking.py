"""The open times a patient ticked on the form, each with a button that books it."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from . import services
from .services.online_booking import preferred_time_value


class PreferredTimesAdminMixin:
    """For AppointmentRequestAdmin: `preferred_times_to_book` in the change page, and the
    address its buttons post the change form to (`formaction`: no second form, no script)."""

    @property
    def book_time_url_name(self):
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_book_time"

    def get_urls(self):
        book = path(
            "<path:object_id>/book-time/",
            self.admin_site.admin_view(require_POST(self.book_time_view)),
            name=self.book_time_url_name,
        )
        return [book, *super().get_urls()]

    def book_time_view(self, request, object_id):
        appointment_request = self.get_object(request, object_id)
        if appointment_request is None or not self.has_change_permission(
            request, appointment_request
        ):
            raise PermissionDenied
        try:
            appointment = services.appointment_request_book_preferred_time(
                appointment_request=appointment_request,
                value=request.POST.get("book_time", ""),
                by=request.user,
            )
        except ValidationError as refused:
            self.message_user(request, f"Not booked: {' '.join(refused.messages)}", messages.ERROR)
        else:
            self.message_user(
                request,
                f"Booked for {appointment}; the patient is emailed a confirmation.",
                messages.SUCCESS,
            )
        return redirect(appointment_request.get_admin_url())

    @admin.display(description="times the patient would like")
    def preferred_times_to_book(self, appointment_request):
        times = appointment_request.preferred_times
        if not times:
            return "None"
        action = reverse(f"admin:{self.book_time_url_name}", args=[appointment_request.pk])
        rows = [
            (label, action, preferred_time_value(time))
            for label, time in zip(appointment_request.preferred_time_labels, times, strict=True)
        ]
        return format_html(
            '<ul class="preferred-times">{}</ul>',
            format_html_join(
                "",
                '<li>{} <button type="submit" class="button" formaction="{}" '
                'name="book_time" value="{}">Book this time</button></li>',
                rows,
            ),
        )
