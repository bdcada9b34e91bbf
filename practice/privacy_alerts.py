"""The privacy officers hear at once of an export of many patients' requests."""

import logging
from email.utils import make_msgid, parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .audit import AuditEntry
from .groups import PRIVACY_OFFICERS
from .public_urls import public_url

logger = logging.getLogger(__name__)


def privacy_officer_emails():
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=PRIVACY_OFFICERS)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def alert_if_large_export(entry):
    """Queue the alert, after the commit, when the export held more than the threshold."""
    if len(entry.appointment_requests) <= settings.AUDIT_EXPORT_ALERT_ROWS:
        return
    from .tasks import alert_privacy_officers

    def queue():
        try:
            alert_privacy_officers.delay(entry.pk)
        except Exception:
            # The export and its entry stand; the log says the officers were not told.
            logger.exception("Could not queue the privacy officers' alert for entry %s", entry.pk)

    transaction.on_commit(queue)


def send_export_alert(*, entry_id):
    entry = AuditEntry.objects.get(pk=entry_id)
    recipients = privacy_officer_emails()
    if not recipients:
        logger.warning("No privacy officer has an email address: entry %s told nobody.", entry_id)
        return 0
    context = {
        "entry": entry,
        "count": len(entry.appointment_requests),
        "log_url": public_url(
            f"{reverse('admin:practice_auditentry_changelist')}?{urlencode({'q': entry.actor})}"
        ),
    }
    folder = "emails/privacy_alert"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    message = EmailMessage(
        subject,
        render_to_string(f"{folder}/body.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        headers={"Message-ID": _message_id()},
    )
    return message.send()


def _message_id():
    """On the practice's own domain, as its other emails' are, not the server's name."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return make_msgid(domain=domain or None)
