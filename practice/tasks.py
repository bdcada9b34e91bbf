from importlib import import_module

from celery import shared_task
from django.conf import settings

from . import audit, privacy_alerts


@shared_task(name="practice.expire_audit_log")
def expire_audit_log():
    """Delete the audit entries older than the retention period."""
    return audit.expire()


@shared_task(
    name="practice.alert_privacy_officers",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=10,
)
def alert_privacy_officers(entry_id):
    """Tell the privacy officers of a large export, as the audit log recorded it."""
    return privacy_alerts.send_export_alert(entry_id=entry_id)


@shared_task(name="practice.clear_expired_sessions")
def clear_expired_sessions():
    """Delete expired sessions, which may hold a patient's reference and urgency."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
