from importlib import import_module

from celery import shared_task
from django.conf import settings

from . import audit, privacy_alerts
from .backups.services import backup_nightly


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


@shared_task(
    name="practice.take_nightly_backup",
    soft_time_limit=settings.BACKUP_SOFT_TIME_LIMIT,
    time_limit=settings.BACKUP_TIME_LIMIT,
)
def take_nightly_backup():
    """Take tonight's backup, once however many machines' beats ask for it."""
    run = backup_nightly()
    return run and run.file_name
