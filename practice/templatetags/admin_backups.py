from django import template

from ..backups.services import OVERDUE_AFTER, backup_is_overdue, backup_last_good

register = template.Library()


@register.inclusion_tag("admin/_backup_status.html")
def backup_status(user):
    """When the last good backup was taken, for the admin's front page."""
    if not user.has_perm("practice.view_backuprun"):
        return {"shown": False}
    last_good = backup_last_good()
    return {
        "shown": True,
        "last_good": last_good,
        "overdue": backup_is_overdue(last_good),
        "overdue_hours": int(OVERDUE_AFTER.total_seconds() // 3600),
    }
