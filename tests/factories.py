"""factory-boy factories, one for every model."""

from datetime import time, timedelta

import factory
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from appointments.forms import AppointmentRequestForm
from appointments.models import (
    Appointment,
    AppointmentRequest,
    Notification,
    OfficeNote,
    StatusChange,
)
from appointments.scheduling import ClinicSession, VisitType
from appointments.surgeon_feeds import CalendarFeed
from appointments.waitlist import WaitlistEntry, WaitlistOffer
from conditions.models import Condition, ConditionSection
from faq.models import Question
from practice import audit
from practice.audit import AuditEntry
from practice.models import BackupRun, Closure, Location, OpeningHours, Practice, Surgeon


class PracticeFactory(DjangoModelFactory):
    class Meta:
        model = Practice

    name = "Test Spine Practice"
    tagline = "Spine care you can understand."
    phone = "+1 555 0123"
    email = "hello@practice.test"
    office_recipients = "office@practice.test, manager@practice.test"
    medical_disclaimer = "This page is general information, not medical advice."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        practice, _ = model_class.objects.update_or_create(
            pk=model_class.singleton_instance_id, defaults=kwargs
        )
        return practice


class SurgeonFactory(DjangoModelFactory):
    class Meta:
        model = Surgeon

    name = factory.Sequence(lambda n: f"Dr. Test Surgeon {n}")
    slug = factory.LazyAttribute(lambda surgeon: slugify(surgeon.name))
    role = "Consultant spine surgeon"
    credentials = "MD"
    biography = "<p>A surgeon who explains things clearly.</p>"


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Test clinic {n}")
    street_address = "1 Test Road"
    locality = "Testville"
    region = "TS"
    postal_code = "00000"
    phone = "+1 555 0150"


class OpeningHoursFactory(DjangoModelFactory):
    class Meta:
        model = OpeningHours

    location = factory.SubFactory(LocationFactory)
    weekday = 0
    opens = "09:00"
    closes = "17:00"


class ConditionFactory(DjangoModelFactory):
    class Meta:
        model = Condition

    title = factory.Sequence(lambda n: f"Test condition {n}")
    slug = factory.LazyAttribute(lambda condition: slugify(condition.title))
    eyebrow = "Spine surgery"
    summary = factory.Faker("paragraph", nb_sentences=3)
    is_published = True


class ConditionSectionFactory(DjangoModelFactory):
    class Meta:
        model = ConditionSection

    condition = factory.SubFactory(ConditionFactory)
    heading = factory.Sequence(lambda n: f"Section heading {n}")
    body = factory.LazyFunction(lambda: "<p>Some words about this part of the condition.</p>")
    order = factory.Sequence(lambda n: n)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    question = factory.Sequence(lambda n: f"Test question number {n}?")
    answer = "<p>A clear answer.</p>"
    order = factory.Sequence(lambda n: n)


class AppointmentRequestFactory(DjangoModelFactory):
    class Meta:
        model = AppointmentRequest

    full_name = factory.Faker("name")
    email = factory.Faker("email")
    phone = "+12015550142"
    condition = factory.SubFactory(ConditionFactory)
    preferred_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    preferred_time = AppointmentRequest.TimeOfDay.MORNING
    had_spine_surgery = True
    message = "It has hurt since my operation."
    consent_wording = AppointmentRequestForm.CONSENT_WORDING
    consented_at = factory.LazyFunction(timezone.now)


class StatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = StatusChange

    appointment_request = factory.SubFactory(AppointmentRequestFactory)
    to_status = AppointmentRequest.Status.NEW
    detail = "Received from the website"


class OfficeNoteFactory(DjangoModelFactory):
    class Meta:
        model = OfficeNote

    appointment_request = factory.SubFactory(AppointmentRequestFactory)
    text = "Left a voicemail; will try again tomorrow."


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment

    appointment_request = factory.SubFactory(
        AppointmentRequestFactory, status=AppointmentRequest.Status.SCHEDULED
    )
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    location = factory.SubFactory(LocationFactory)


class VisitTypeFactory(DjangoModelFactory):
    class Meta:
        model = VisitType

    name = factory.Sequence(lambda n: f"Follow-up visit {n}")
    slug = factory.LazyAttribute(lambda visit_type: slugify(visit_type.name))
    duration_minutes = 20
    is_bookable_online = True


class ClinicSessionFactory(DjangoModelFactory):
    """Mondays 9:00 to 12:00 from today, seeing `visit_types` (one new one by default)."""

    class Meta:
        model = ClinicSession
        skip_postgeneration_save = True

    surgeon = factory.SubFactory(SurgeonFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    starts = time(9)
    ends = time(12)
    valid_from = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def visit_types(self, create, extracted, **kwargs):
        self.visit_types.set(extracted if extracted is not None else [VisitTypeFactory()])


class CalendarFeedFactory(DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    surgeon = factory.SubFactory(SurgeonFactory)


class ClosureFactory(DjangoModelFactory):
    class Meta:
        model = Closure

    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    reason = "Staff training"


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    appointment_request = factory.SubFactory(AppointmentRequestFactory)
    kind = Notification.Kind.OFFICE
    recipients = "office@practice.test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@practice.test")
    is_staff = True


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Office team {n}")


class AccessAttemptFactory(DjangoModelFactory):
    """A run of failed logins that django-axes counts (and may lock out)."""

    class Meta:
        model = AccessAttempt

    username = factory.Sequence(lambda n: f"guesser{n}")
    ip_address = "203.0.113.7"
    user_agent = "Mozilla/5.0"
    http_accept = "text/html"
    path_info = "/admin/login/"
    get_data = ""
    post_data = "username=guesser"
    failures_since_start = 3


class AccessFailureLogFactory(DjangoModelFactory):
    class Meta:
        model = AccessFailureLog

    username = factory.Sequence(lambda n: f"guesser{n}")
    ip_address = "203.0.113.7"
    user_agent = "Mozilla/5.0"
    http_accept = "text/html"
    path_info = "/admin/login/"


class AccessLogFactory(DjangoModelFactory):
    class Meta:
        model = AccessLog

    username = factory.Sequence(lambda n: f"staff{n}")
    ip_address = "203.0.113.8"
    user_agent = "Mozilla/5.0"
    http_accept = "text/html"
    path_info = "/admin/login/"


class BackupRunFactory(DjangoModelFactory):
    """A backup's record, as the admin shows it; tests/practice/test_backups.py takes real ones."""

    class Meta:
        model = BackupRun

    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    finished_at = factory.LazyFunction(timezone.now)
    status = BackupRun.Status.SUCCEEDED
    file_name = factory.LazyAttribute(
        lambda run: f"practice-{run.started_at:%Y%m%dT%H%M%SZ}.backup"
    )
    size = 143_710


class AuditEntryFactory(factory.Factory):
    """An entry as the site writes one, joined to the chain (never saved directly)."""

    class Meta:
        model = AuditEntry

    action = audit.Action.REQUEST_VIEWED
    actor = factory.Sequence(lambda n: f"office-{n}-staff")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return audit.record(**kwargs)


class WaitlistEntryFactory(DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    appointment_request = factory.SubFactory(
        AppointmentRequestFactory, status=AppointmentRequest.Status.SCHEDULED
    )
    visit_type = factory.SubFactory(VisitTypeFactory)
    location = factory.SubFactory(LocationFactory)


class WaitlistOfferFactory(DjangoModelFactory):
    class Meta:
        model = WaitlistOffer

    entry = factory.SubFactory(WaitlistEntryFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda offer: offer.starts_at + timedelta(minutes=20))
    surgeon = factory.SubFactory(SurgeonFactory)
    location = factory.SelfAttribute("entry.location")
    visit_type = factory.SelfAttribute("entry.visit_type")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=4))
