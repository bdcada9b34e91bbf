"""Compose the outbox's emails from templates/emails/<kind>/ (subject, text, HTML)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from practice.models import Practice
from practice.public_urls import public_url

from .models import Notification


def build_email(notification):
    practice = Practice.get_solo()
    appointment_request = notification.appointment_request
    context = {
        "appointment_request": appointment_request,
        "practice": practice,
        "admin_url": public_url(appointment_request.get_admin_url()),
    }
    folder = f"emails/{notification.kind}"
    # A subject is one line whatever the template's whitespace.
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    if notification.kind == Notification.Kind.OFFICE:
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
    return message
