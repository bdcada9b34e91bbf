"""Compose the outbox's emails from templates/emails/<kind>/ (subject, text, HTML)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from practice.models import Practice
from practice.public_urls import public_url

from .calendar import appointment_calendar
from .links import manage_url
from .models import Notification
from .waitlist_links import leave_url, offer_url

# The emails that carry the appointment's calendar file, and what the file does.
CALENDAR_METHODS = {
    Notification.Kind.CONFIRMATION: "PUBLISH",
    Notification.Kind.CANCELLED_BY_OFFICE: "CANCEL",
    Notification.Kind.CANCELLATION_CONFIRMED: "CANCEL",
}


def build_email(notification):
    practice = Practice.get_solo()
    appointment_request = notification.appointment_request
    appointment = notification.appointment
    context = {
        "appointment_request": appointment_request,
        "appointment": appointment,
        "practice": practice,
        "admin_url": public_url(appointment_request.get_admin_url()),
        "includes_clinical_text": settings.OFFICE_EMAIL_INCLUDES_CLINICAL_TEXT,
    }
    if notification.kind in Notification.WHILE_BOOKED_KINDS:
        context["manage_url"] = manage_url(appointment)
    if offer := notification.waitlist_offer:
        context |= {
            "offer": offer,
            "offer_url": offer_url(offer),
            "leave_url": leave_url(offer.entry),
            "current_appointment": appointment_request.current_appointment(),
        }
    folder = f"emails/{notification.kind}"
    # A subject is one line whatever the template's whitespace.
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    if notification.is_for_office:
        reply_to = [appointment_request.email]
    else:
        reply_to = [practice.email] if practice.email else []
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{folder}/body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=notification.recipient_list,
        reply_to=reply_to,
        headers={"Message-ID": notification.message_id},
    )
    message.attach_alternative(render_to_string(f"{folder}/body.html", context), "text/html")
    if notification.kind in CALENDAR_METHODS:
        method = CALENDAR_METHODS[notification.kind]
        message.attach(
            "appointment.ics",
            appointment_calendar(appointment, practice, cancelled=method == "CANCEL"),
            f"text/calendar; method={method}; charset=utf-8",
        )
    return message
