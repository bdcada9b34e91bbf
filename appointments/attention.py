"""What the office should do first, for the admin's “Needs attention” box."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from practice.attention import AttentionItem

from .models import AppointmentRequest, Notification

# Failed emails older than this are taken as dealt with (by phone, say): the box shows
# what still needs doing, not every failure there ever was.
FAILED_EMAILS_SHOWN_FOR = timedelta(days=14)


def new_appointment_requests(user):
    if not user.has_perm("appointments.view_appointmentrequest"):
        return None
    new = AppointmentRequest.objects.filter(status=AppointmentRequest.Status.NEW)
    counts = new.aggregate(total=Count("pk"), urgent=Count("pk", filter=Q(is_urgent=True)))
    if not counts["total"]:
        return None
    requests = "request" if counts["total"] == 1 else "requests"
    message = f"{counts['total']} new appointment {requests}"
    if counts["urgent"]:
        message += f" ({counts['urgent']} urgent)"
    url = reverse("admin:appointments_appointmentrequest_changelist")
    status = AppointmentRequest.Status.NEW
    return AttentionItem(message, f"{url}?{urlencode({'status__exact': status})}")


def failed_emails(user):
    if not user.has_perm("appointments.view_notification"):
        return None
    since = timezone.make_aware(
        datetime.combine(timezone.localdate() - FAILED_EMAILS_SHOWN_FOR, time.min)
    )
    count = Notification.objects.filter(
        status=Notification.Status.FAILED, created_at__gte=since
    ).count()
    if not count:
        return None
    url = reverse("admin:appointments_notification_changelist")
    emails = "1 email" if count == 1 else f"{count} emails"
    query = {"status__exact": Notification.Status.FAILED, "created_at__gte": since.isoformat()}
    return AttentionItem(
        f"{emails} could not be sent in the last {FAILED_EMAILS_SHOWN_FOR.days} days",
        f"{url}?{urlencode(query)}",
    )
