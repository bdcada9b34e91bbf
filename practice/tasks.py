from celery import shared_task
from django.conf import settings

from .backups.services import backup_nightly


@shared_task(
    name="practice.take_nightly_backup",
    soft_time_limit=settings.BACKUP_SOFT_TIME_LIMIT,
    time_limit=settings.BACKUP_TIME_LIMIT,
)
def take_nightly_backup():
    """Take tonight's backup, once however many machines' beats ask for it."""
    run = backup_nightly()
    return run and run.file_name
