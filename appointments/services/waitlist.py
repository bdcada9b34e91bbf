"""The waitlist: a booked patient asks for an earlier time; each time that frees up is
offered to the waiting patients for its visit type and place, one at a time, in the order
they asked; the first to take it gets it, and the time they leave is offered on in turn.

A time frees up when an appointment with a surgeon and a visit type is cancelled or moved
(requests.py calls waitlist_time_freed on commit); Celery beat runs waitlist_move_on,
which expires the offers nobody took and offers every freed time again, so a time whose
offer was lost with its process (or whose taker left) still reaches the next patient.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from practice.models import Location, Surgeon

from ..models import Appointment, AppointmentRequest, Notification, VisitType
from ..waitlist import WaitlistEntry, WaitlistOffer
from .changes import office_told_of_move, patient_change_record
from .outbox import notification_queue_on_commit
from .requests import appointment_book

logger = logging.getLogger(__name__)

# Offers reach inside the booking notice, down to this long before the time.
WAITLIST_REACH = timedelta(hours=4)


@dataclass(frozen=True)
class FreedTime:
    surgeon: Surgeon
    location: Location
    visit_type: VisitType
    starts_at: datetime
    ends_at: datetime


def waitlist_join(*, appointment: Appointment) -> WaitlistEntry | None:
    """Put the patient on the waitlist for an earlier time of their appointment's visit
    type and place; the entry they have if they are on it already. None if the
    appointment cannot be changed online (past, cancelled, booked outside the sessions)."""
    with transaction.atomic():
        appointment_request = AppointmentRequest.objects.select_for_update().get(
            pk=appointment.appointment_request_id
        )
        appointment = Appointment.objects.get(pk=appointment.pk)
        appointment.appointment_request = appointment_request
        if not (appointment.patient_may_change and appointment.visit_type_id):
            return None
        if entry := appointment_request.waitlist_entries.waiting().first():
            return entry
        entry = WaitlistEntry.objects.create(
            appointment_request=appointment_request,
            visit_type_id=appointment.visit_type_id,
            location_id=appointment.location_id,
        )
        _record(appointment_request, "The patient asked for an earlier time (waitlist)")
    return entry


def waitlist_leave(*, entry: WaitlistEntry) -> bool:
    """Take the patient off the waitlist; their open offers go to the next patient.
    False if they had left already."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if not entry.is_waiting:
            return False
        _end_entry(entry, WaitlistEntry.Left.LEFT)
        _record(entry.appointment_request, "The patient left the waitlist")
    return True


def waitlist_offer_accept(*, offer: WaitlistOffer) -> Appointment:
    """Book the offered time for the patient: their old time is freed (and offered on),
    they leave the waitlist, the office is told. ValidationError if the offer is no longer
    open (taken, expired, withdrawn) or the time has just gone."""
    try:
        with transaction.atomic():
            # The request first, as the other services that change it lock it; then the
            # offer, so that two taps on "Take this time" take turns.
            appointment_request = AppointmentRequest.objects.select_for_update().get(
                pk=offer.entry.appointment_request_id
            )
            offer = WaitlistOffer.objects.select_for_update().get(pk=offer.pk)
            current = appointment_request.current_appointment()
            if not offer.is_open() or current is None or current.starts_at <= offer.starts_at:
                raise ValidationError(
                    _("This offer is no longer open, so nothing has been changed."),
                    code="offer_closed",
                )
            appointment = appointment_book(
                appointment_request=appointment_request,
                # In the practice's time, as appointment_validate_time reads it (the
                # database gives UTC).
                starts_at=timezone.localtime(offer.starts_at),
                location=offer.location,
                by=None,
                surgeon=offer.surgeon,
                visit_type=offer.visit_type,
            )
            offer.status = WaitlistOffer.Status.ACCEPTED
            offer.answered_at = timezone.now()
            offer.save(update_fields=["status", "answered_at"])
            _end_entry(offer.entry, WaitlistEntry.Left.ACCEPTED)
            office_told_of_move(appointment=appointment)
            patient_change_record(
                appointment_request=appointment_request,
                detail=f"The patient took an earlier time from the waitlist: {appointment}",
            )
    except ValidationError as error:
        if error.code == "taken":
            # Booked by the office a moment ago: the offer cannot be taken any more.
            WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OFFERED).update(
                status=WaitlistOffer.Status.WITHDRAWN, answered_at=timezone.now()
            )
        raise
    return appointment


def waitlist_time_freed(*, appointment_id: int) -> WaitlistOffer | None:
    """An appointment was cancelled or moved: a cancelled one takes its patient off the
    waitlist, and its time is offered to the first patient waiting for it."""
    appointment = (
        Appointment.objects.filter(pk=appointment_id)
        .exclude(status=Appointment.Status.BOOKED)
        .select_related("surgeon", "location", "visit_type")
        .first()
    )
    if appointment is None:
        return None
    if appointment.status == Appointment.Status.CANCELLED:
        with transaction.atomic():
            for entry in WaitlistEntry.objects.waiting().filter(
                appointment_request=appointment.appointment_request_id
            ):
                _end_entry(entry, WaitlistEntry.Left.APPOINTMENT_ENDED)
    if appointment.surgeon is None or appointment.visit_type is None:
        return None
    return waitlist_offer_time(
        time=FreedTime(
            surgeon=appointment.surgeon,
            location=appointment.location,
            visit_type=appointment.visit_type,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
        )
    )


def waitlist_offer_time(*, time: FreedTime, now: datetime | None = None) -> WaitlistOffer | None:
    """Offer a freed time to the first patient waiting for it who has not been offered it
    yet; None if it is offered already, no longer free, too close, or nobody wants it."""
    now = now or timezone.now()
    if time.starts_at <= now + WAITLIST_REACH:
        return None
    taken = Appointment.objects.filter(
        surgeon=time.surgeon,
        status=Appointment.Status.BOOKED,
        starts_at__lt=time.ends_at,
        ends_at__gt=time.starts_at,
    )
    offered = WaitlistOffer.objects.filter(
        surgeon=time.surgeon, starts_at=time.starts_at, status=WaitlistOffer.Status.OFFERED
    )
    if taken.exists() or offered.exists():
        return None
    entry = _first_waiting_for(time)
    if entry is None:
        return None
    expires_at = min(
        now + timedelta(hours=settings.WAITLIST_OFFER_HOURS), time.starts_at - WAITLIST_REACH
    )
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                entry=entry,
                starts_at=time.starts_at,
                ends_at=time.ends_at,
                surgeon=time.surgeon,
                location=time.location,
                visit_type=time.visit_type,
                created_at=now,
                expires_at=expires_at,
            )
            notice = Notification.objects.create(
                appointment_request=entry.appointment_request,
                waitlist_offer=offer,
                kind=Notification.Kind.WAITLIST_OFFER,
                recipients=entry.appointment_request.email,
            )
            notification_queue_on_commit(notifications=[notice])
    except IntegrityError:
        # Another process offered this time a moment ago (the open offers' constraint).
        return None
    return offer


def waitlist_move_on(*, now: datetime | None = None) -> int:
    """Expire the offers nobody took in time and offer every freed time that is open to
    the next patient waiting; returns how many offers were made."""
    now = now or timezone.now()
    WaitlistOffer.objects.filter(status=WaitlistOffer.Status.OFFERED, expires_at__lte=now).update(
        status=WaitlistOffer.Status.EXPIRED
    )
    made = 0
    for time in _freed_times(now):
        if waitlist_offer_time(time=time, now=now):
            made += 1
    return made


def _freed_times(now):
    """The cancelled or moved appointments' times still ahead, for which someone waits."""
    someone_waits = WaitlistEntry.objects.waiting().filter(
        visit_type=OuterRef("visit_type"), location=OuterRef("location")
    )
    ended = (
        Appointment.objects.exclude(status=Appointment.Status.BOOKED)
        .filter(surgeon__isnull=False, visit_type__isnull=False)
        .filter(starts_at__gt=now + WAITLIST_REACH)
        .filter(Exists(someone_waits))
        .select_related("surgeon", "location", "visit_type")
        .order_by("starts_at")
    )
    seen = set()
    for appointment in ended:
        key = (appointment.surgeon_id, appointment.starts_at)
        if key not in seen:
            seen.add(key)
            yield FreedTime(
                surgeon=appointment.surgeon,
                location=appointment.location,
                visit_type=appointment.visit_type,
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
            )


def _first_waiting_for(time):
    later_booking = Appointment.objects.filter(
        appointment_request=OuterRef("appointment_request"),
        status=Appointment.Status.BOOKED,
        starts_at__gt=time.starts_at,
    )
    offered_before = WaitlistOffer.objects.filter(
        entry=OuterRef("pk"), surgeon=time.surgeon, starts_at=time.starts_at
    )
    return (
        WaitlistEntry.objects.waiting()
        .filter(visit_type=time.visit_type, location=time.location)
        .filter(Exists(later_booking))
        .exclude(Exists(offered_before))
        .select_related("appointment_request")
        .order_by("created_at", "pk")
        .first()
    )


def _end_entry(entry, reason):
    """Take the entry off the waitlist; the times offered to it go to the next patient."""
    now = timezone.now()
    entry.left_at = now
    entry.left_because = reason
    entry.save(update_fields=["left_at", "left_because"])
    withdrawn = list(entry.offers.filter(status=WaitlistOffer.Status.OFFERED))
    entry.offers.filter(pk__in=[offer.pk for offer in withdrawn]).update(
        status=WaitlistOffer.Status.WITHDRAWN, answered_at=now
    )
    for offer in withdrawn:
        time = FreedTime(
            offer.surgeon, offer.location, offer.visit_type, offer.starts_at, offer.ends_at
        )
        transaction.on_commit(lambda time=time: waitlist_offer_time(time=time), robust=True)


def _record(appointment_request, detail):
    patient_change_record(appointment_request=appointment_request, detail=detail)
