"""The audit log of patients' data: who saw, exported or changed which request, when and
from where; and who signed in to the admin, or failed to.

Append-only: the app never changes or deletes an entry, except the nightly expiry of
entries older than AUDIT_LOG_RETENTION_DAYS. Each entry carries the hash of the one before
it, so an entry changed, removed or slipped in behind the app's back breaks the chain, and
`manage.py verify_audit_log` says where. Entries name a request by id and reference, never
by the patient's name; a search term staff typed is the one thing kept as typed.
"""

import contextvars
import hashlib
import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .client_address import client_address


class Action(models.TextChoices):
    REQUEST_VIEWED = "request.viewed", "Request viewed"
    REQUESTS_LISTED = "request.listed", "Requests listed"
    REQUESTS_EXPORTED = "request.exported", "Requests exported"
    REQUEST_STATUS_CHANGED = "request.status_changed", "Request status changed"
    REQUEST_NOTE_ADDED = "request.note_added", "Internal note added"
    REQUESTS_ANONYMISED = "request.anonymised", "Requests anonymised"
    EMAIL_VIEWED = "email.viewed", "Email viewed"
    EMAILS_LISTED = "email.listed", "Emails listed"
    EMAILS_SENT_AGAIN = "email.sent_again", "Emails sent again"
    LOGIN_SUCCEEDED = "login.succeeded", "Signed in"
    LOGIN_FAILED = "login.failed", "Sign-in failed: password"
    LOGIN_CODE_FAILED = "login.code_failed", "Sign-in failed: code"
    LOGIN_LOCKED_OUT = "login.locked_out", "Locked out"
    LOCKOUT_LIFTED = "login.lockout_lifted", "Lockout lifted"
    TWO_FACTOR_RESET = "two_factor.reset", "Two-factor device reset"
    LOGGED_OUT = "login.logged_out", "Signed out"
    AUDIT_LOG_LISTED = "audit.listed", "Audit log read"
    AUDIT_LOG_EXPORTED = "audit.exported", "Audit log exported"
    AUDIT_LOG_EXPIRED = "audit.expired", "Old audit entries deleted"
    FIELD_KEYS_ROTATED = "keys.rotated", "Encryption keys rotated"
    BACKUP_TAKEN = "backup.taken", "Backup taken"
    BACKUP_FAILED = "backup.failed", "Backup failed"
    BACKUP_RESTORED = "backup.restored", "Backup restored"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries cannot be changed.")

    def delete(self):
        raise TypeError("Audit entries cannot be deleted; old ones expire (audit.expire).")

    def _expire(self):
        return super().delete()


class AuditEntry(models.Model):
    at = models.DateTimeField("when", db_index=True)
    action = models.CharField(max_length=40, choices=Action, db_index=True)
    actor = models.CharField(
        "who", max_length=150, blank=True, help_text="The staff user name; empty for the site."
    )
    address = models.CharField("from", max_length=45, blank=True)
    appointment_requests = models.JSONField(
        "requests", default=list, blank=True, help_text="Each as [id, reference]."
    )
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries cannot be deleted; old ones expire (audit.expire).")

    def computed_hash(self):
        content = {
            "at": self.at.astimezone(UTC).isoformat(),
            "action": self.action,
            "actor": self.actor,
            "address": self.address,
            "appointment_requests": self.appointment_requests,
            "details": self.details,
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(f"{self.previous_hash}\n{canonical}".encode()).hexdigest()


class AuditChain(models.Model):
    """The chain's two ends, in one row: the hash the first entry kept must follow (the
    last expired entry's, or empty), and the last entry's, which the next one carries.
    Appending locks this row, so entries join the chain one at a time."""

    start_hash = models.CharField(max_length=64, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"Audit chain ending {self.last_hash[:12]}"

    @classmethod
    def locked(cls):
        cls.objects.get_or_create(pk=1)
        return cls.objects.select_for_update().get(pk=1)


# The request being served, so that a service recording a change knows who made it and
# from where without being handed the request; set by AuditMiddleware.
current_request = contextvars.ContextVar("audit_request", default=None)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def _origin(http_request):
    """(user name, address) of a request; ("", "") for none, as for a nightly task."""
    if http_request is None:
        return "", ""
    user = getattr(http_request, "user", None)
    actor = user.get_username() if user is not None and user.is_authenticated else ""
    return actor, client_address(http_request) or ""


def record(action, *, http_request=None, actor=None, appointment_requests=(), details=None):
    """Add an entry to the log and return it.

    Who and from where come from `http_request`, else from the request being served; an
    `actor` (a user, or a user name typed at the login) names who it was instead.
    """
    name, address = _origin(http_request or current_request.get())
    if actor is not None:
        name = actor if isinstance(actor, str) else actor.get_username()
    with transaction.atomic():
        chain = AuditChain.locked()
        entry = AuditEntry(
            at=timezone.now(),
            action=action,
            actor=name[:150],
            address=address,
            appointment_requests=[[item.pk, item.reference] for item in appointment_requests],
            details=details or {},
            previous_hash=chain.last_hash,
        )
        entry.hash = entry.computed_hash()
        entry.save()
        chain.last_hash = entry.hash
        chain.save(update_fields=["last_hash"])
    return entry


def list_parameters(http_request):
    """What an admin list showed, as its address says: the search, and the filters, page
    and order."""
    parameters = {key: http_request.GET.getlist(key) for key in http_request.GET}
    return {
        "search": " ".join(parameters.pop("q", [])),
        "filters": {key: ",".join(values) for key, values in parameters.items()},
    }


def verify():
    """What is wrong with the chain, in order; empty when every entry is as it was written."""
    chain = AuditChain.objects.filter(pk=1).first() or AuditChain()
    problems = []
    expected = chain.start_hash
    last_pk = None
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if entry.previous_hash != expected:
            where = "at the start" if last_pk is None else f"after entry {last_pk}"
            problems.append(f"Entries are missing or were added {where} (entry {entry.pk}).")
        if entry.computed_hash() != entry.hash:
            problems.append(f"Entry {entry.pk} was changed after it was written.")
        expected = entry.hash
        last_pk = entry.pk
    if expected != chain.last_hash:
        where = "" if last_pk is None else f" after entry {last_pk}"
        problems.append(f"The last entries{where} are missing.")
    return problems


def expire(*, now: datetime | None = None) -> int:
    """Delete the entries older than the retention period, keeping the last one's hash as
    the chain's new start. Returns how many went."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    with transaction.atomic():
        chain = AuditChain.locked()
        last_old = AuditEntry.objects.filter(at__lt=cutoff).order_by("-pk").first()
        if last_old is None:
            return 0
        expired, _ = AuditEntry.objects.filter(pk__lte=last_old.pk)._expire()
        chain.start_hash = last_old.hash
        chain.save(update_fields=["start_hash"])
    record(
        Action.AUDIT_LOG_EXPIRED,
        details={"deleted": expired, "through_entry": last_old.pk, "older_than": str(cutoff)},
    )
    return expired
