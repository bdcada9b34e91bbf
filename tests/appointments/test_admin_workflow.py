"""The office works appointment requests in the admin, as a member of the "Office staff" group."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from appointments import admin_forms
from appointments.models import Appointment, AppointmentRequest, Notification, StatusChange
from practice.groups import CONTENT_EDITORS, OFFICE_STAFF
from practice.models import Practice, Weekday
from tests.factories import (
    AppointmentFactory,
    AppointmentRequestFactory,
    ClosureFactory,
    ConditionFactory,
    LocationFactory,
    OfficeNoteFactory,
    OpeningHoursFactory,
    StatusChangeFactory,
    UserFactory,
)
from tests.support.forms import admin_form_data
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db

Status = AppointmentRequest.Status
PRACTICE_ZONE = timezone.get_current_timezone()
CHANGELIST = reverse("admin:appointments_appointmentrequest_changelist")
EXPORT = reverse("admin:appointments_appointmentrequest_export")


def change_url(appointment_request):
    return reverse("admin:appointments_appointmentrequest_change", args=[appointment_request.pk])


def in_group(group_name, **user_fields):
    user = UserFactory(**user_fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def office_user():
    return in_group(OFFICE_STAFF, username="maria", first_name="Maria", last_name="Lopez")


@pytest.fixture
def office(client, office_user):
    log_in_verified(client, office_user)
    return client


@pytest.fixture
def editor(client):
    log_in_verified(client, in_group(CONTENT_EDITORS))
    return client


@pytest.fixture
def location():
    return LocationFactory(name="Riverside clinic")


def next_week():
    return timezone.localdate() + timedelta(days=7)


def save_request(client, appointment_request, **changes):
    """Open the request's page and save it with `changes`, as staff do in the browser."""
    page = client.get(change_url(appointment_request))
    return client.post(change_url(appointment_request), admin_form_data(page, **changes))


def schedule(client, appointment_request, location, day, at="14:30"):
    return save_request(
        client,
        appointment_request,
        status=Status.SCHEDULED,
        appointment_date=day.isoformat(),
        appointment_time=at,
        appointment_location=location.pk,
    )


def listed(response):
    return list(response.context["cl"].result_list)


def inline_on(page, prefix):
    """The part of a change page that shows one inline, e.g. the history."""
    start = page.index(f'id="{prefix}-group"')
    return page[start : page.find('-group"', start + len(prefix) + 10)]


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# The change page.


def test_scheduling_books_the_appointment_and_queues_its_confirmation(
    office, office_user, location
):
    appointment_request = AppointmentRequestFactory()
    day = next_week()

    response = schedule(office, appointment_request, location, day, at="14:30")

    assert response.status_code == 302
    appointment = Appointment.objects.get(appointment_request=appointment_request)
    assert appointment.starts_at == timezone.make_aware(datetime.combine(day, time(14, 30)))
    assert appointment.location == location
    assert appointment.booked_by == office_user
    appointment_request.refresh_from_db()
    assert appointment_request.status == Status.SCHEDULED
    assert Notification.objects.filter(
        appointment=appointment, kind=Notification.Kind.CONFIRMATION
    ).exists()


def test_the_request_page_shows_who_scheduled_it_and_when(office, location):
    appointment_request = AppointmentRequestFactory()
    schedule(office, appointment_request, location, next_week())
    change = StatusChange.objects.get(appointment_request=appointment_request)

    page = office.get(change_url(appointment_request)).text

    history = inline_on(page, "status_changes")
    assert "Maria Lopez" in history
    assert "New → Scheduled" in history
    assert date_format(timezone.localtime(change.changed_at), "DATETIME_FORMAT") in history
    assert "Booked for" in history


def test_scheduled_needs_a_day_a_time_and_a_place_and_saves_nothing_without_them(office):
    appointment_request = AppointmentRequestFactory()

    response = save_request(office, appointment_request, status=Status.SCHEDULED)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "appointment_date": ["Enter the day of the appointment to schedule it."],
        "appointment_time": ["Enter the time of the appointment to schedule it."],
        "appointment_location": ["Choose where the appointment is to schedule it."],
    }
    appointment_request.refresh_from_db()
    assert appointment_request.status == Status.NEW
    assert not appointment_request.appointments.exists()
    assert not appointment_request.status_changes.exists()


def test_a_time_that_has_passed_is_refused(office, location):
    appointment_request = AppointmentRequestFactory()
    yesterday = timezone.localdate() - timedelta(days=1)

    response = schedule(office, appointment_request, location, yesterday)

    assert response.context["adminform"].form.errors == {
        "appointment_date": ["That day has passed."]
    }
    assert not appointment_request.appointments.exists()


def test_a_day_the_clinic_is_closed_is_refused(office, location):
    appointment_request = AppointmentRequestFactory()
    closure = ClosureFactory(location=location, reason="Staff training")

    response = schedule(office, appointment_request, location, closure.starts_on)

    assert response.context["adminform"].form.errors == {
        "appointment_date": ["Riverside clinic is closed that day: Staff training."]
    }


def test_a_day_closed_between_the_check_and_the_save_is_told_and_nothing_saved(
    office, location, monkeypatch
):
    """The form checks the rules, then the service checks them again under the row lock:
    a closure added in between (here, the form's check is skipped) is refused, with no
    server error, and the request stays as it was."""
    appointment_request = AppointmentRequestFactory(assignee=None)
    closure = ClosureFactory(location=location, reason="Staff training")
    monkeypatch.setattr(admin_forms.services, "appointment_validate_time", lambda **_: None)

    response = schedule(office, appointment_request, location, closure.starts_on)

    assert response.status_code == 302
    page = office.get(response["Location"])
    assert "Nothing was saved: Riverside clinic is closed that day: Staff training." in page.text
    appointment_request.refresh_from_db()
    assert appointment_request.status == Status.NEW
    assert not appointment_request.appointments.exists()
    assert not appointment_request.status_changes.exists()


def test_the_page_shows_the_booked_appointment_in_the_office_fields(office):
    appointment = AppointmentFactory(starts_at=datetime(2031, 3, 4, 9, 15, tzinfo=PRACTICE_ZONE))

    form = office.get(change_url(appointment.appointment_request)).context["adminform"].form

    assert form["appointment_date"].value().isoformat() == "2031-03-04"
    assert form["appointment_time"].value() == time(9, 15)
    assert form["appointment_location"].value() == appointment.location_id


def test_a_new_time_moves_the_appointment(office):
    booked = AppointmentFactory()
    appointment_request = booked.appointment_request
    day = next_week() + timedelta(days=7)

    response = schedule(office, appointment_request, booked.location, day, at="10:00")

    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.MOVED
    current = appointment_request.current_appointment()
    assert current.starts_at == timezone.make_aware(datetime.combine(day, time(10)))
    assert appointment_request.status_changes.get().detail.startswith("Moved to")


def test_saving_the_page_as_it_is_books_nothing_new(office, office_user):
    booked = AppointmentFactory()
    appointment_request = booked.appointment_request

    response = save_request(office, appointment_request, assignee=office_user.pk)

    assert response.status_code == 302
    assert list(appointment_request.appointments.all()) == [booked]
    assert not Notification.objects.filter(appointment=booked).exists()
    appointment_request.refresh_from_db()
    assert appointment_request.assignee == office_user


def test_leaving_scheduled_cancels_the_appointment(office):
    booked = AppointmentFactory()
    appointment_request = booked.appointment_request

    save_request(office, appointment_request, status=Status.CONTACTED)

    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    change = appointment_request.status_changes.get()
    assert (change.from_status, change.to_status) == (Status.SCHEDULED, Status.CONTACTED)
    assert change.detail.startswith("Appointment cancelled")


def test_a_new_note_is_signed_by_whoever_wrote_it(office, office_user):
    appointment_request = AppointmentRequestFactory()

    save_request(office, appointment_request, **{"notes-2-0-text": "Called; no answer."})
    page = office.get(change_url(appointment_request)).text

    note = appointment_request.notes.get()
    assert (note.text, note.author) == ("Called; no answer.", office_user)
    notes = inline_on(page, "notes")
    assert "Called; no answer." in notes
    assert "Maria Lopez" in notes


def test_the_page_shows_the_clinical_answers_and_saving_it_keeps_them(office, office_user):
    answers = {
        "had_spine_surgery": True,
        "surgery_year": 2019,
        "surgery_level": "lumbar",
        "surgery_place": "Saint Brannoch Infirmary",
        "imaging": ["mri", "ct"],
        "imaging_age": "over_a_year",
        "referring_doctor": "Dr. Ysolde Marchbank",
        "red_flags": ["saddle_numbness"],
        "message": "Numbness since the Wexcombe fall.",
    }
    appointment_request = AppointmentRequestFactory(**answers)

    page = office.get(change_url(appointment_request)).text
    for shown in [
        "Lower back (lumbar)",
        "Saint Brannoch Infirmary",
        "MRI, CT",
        "More than a year ago",
        "Dr. Ysolde Marchbank",
        "Numbness between the legs or around the bottom",
        "Numbness since the Wexcombe fall.",
    ]:
        assert shown in page
    response = save_request(
        office,
        appointment_request,
        status=Status.CONTACTED,
        **{"notes-2-0-text": "Wexcombe GP letter on file."},
    )

    assert response.status_code == 302
    saved = AppointmentRequest.objects.get()
    assert {name: getattr(saved, name) for name in answers} == answers
    assert saved.status == Status.CONTACTED
    assert saved.notes.get().text == "Wexcombe GP letter on file."
    assert "Wexcombe GP letter on file." in inline_on(office.get(change_url(saved)).text, "notes")


def test_staff_who_may_only_view_requests_see_the_page_without_a_form(client):
    viewer = UserFactory()
    viewer.user_permissions.add(
        *Group.objects.get(name=OFFICE_STAFF).permissions.filter(codename__startswith="view_")
    )
    log_in_verified(client, viewer)
    booked = AppointmentFactory(location=LocationFactory(name="Hilltop clinic"))

    response = client.get(change_url(booked.appointment_request))

    assert response.status_code == 200
    assert "Hilltop clinic" in response.text


# The list.


def filter_cases():
    """(query, the request it should list) for each filter, with another it should not."""
    # As the filter's "Past 7 days" link has it: from midnight, practice time.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    condition, location = ConditionFactory(), LocationFactory()
    assignee = UserFactory()
    old = AppointmentRequestFactory(condition=ConditionFactory())
    AppointmentRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    return {
        "status": ({"status__exact": "contacted"}, {"status": Status.CONTACTED}),
        "urgency": ({"is_urgent__exact": "1"}, {"is_urgent": True}),
        "received": (
            {
                "created_at__gte": str(midnight - timedelta(days=7)),
                "created_at__lt": str(midnight + timedelta(days=1)),
            },
            {},
        ),
        "condition": ({"condition__id__exact": condition.pk}, {"condition": condition}),
        "location": (
            {"preferred_location__id__exact": location.pk},
            {"preferred_location": location},
        ),
        "assignee": ({"assignee__id__exact": assignee.pk}, {"assignee": assignee}),
    }


@pytest.mark.parametrize(
    "name", ["status", "urgency", "received", "condition", "location", "assignee"]
)
def test_each_filter_narrows_the_list(office, name):
    query, fields = filter_cases()[name]
    wanted = AppointmentRequestFactory(**fields)

    response = office.get(CHANGELIST, query)

    assert response.status_code == 200
    assert listed(response) == [wanted]


@pytest.mark.parametrize("typed", ["201 555 0199", "(201) 555-0199", "+12015550199"])
def test_search_finds_a_phone_number_however_it_is_typed(office, typed):
    wanted = AppointmentRequestFactory(phone="+12015550199")
    AppointmentRequestFactory(phone="+12015550142")

    response = office.get(CHANGELIST, {"q": typed})

    assert listed(response) == [wanted]


def test_search_finds_contact_details_and_never_clinical_answers(office):
    wanted = AppointmentRequestFactory(
        full_name="Theodora Quillfeather",
        email="theodora@patient.test",
        phone="+12015550177",
        surgery_place="Saint Brannoch Infirmary",
        referring_doctor="Dr. Ysolde Marchbank",
        message="Numbness since the Wexcombe fall.",
    )
    OfficeNoteFactory(appointment_request=wanted, text="Zephyrine tablets")
    AppointmentRequestFactory(full_name="John Smith")

    for contact in ["Quillfeather", "theodora@patient.test", "201 555 0177", wanted.reference]:
        assert listed(office.get(CHANGELIST, {"q": contact})) == [wanted], contact
    for clinical in ["Brannoch", "Marchbank", "Wexcombe", "Zephyrine"]:
        response = office.get(CHANGELIST, {"q": clinical})
        assert response.status_code == 200
        assert listed(response) == [], clinical


def test_the_list_shows_urgent_requests_then_new_ones_then_the_newest(office):
    def received(days_ago, **fields):
        appointment_request = AppointmentRequestFactory(**fields)
        AppointmentRequest.objects.filter(pk=appointment_request.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        return appointment_request.reference

    contacted_yesterday = received(1, status=Status.CONTACTED)
    new_last_week = received(7)
    urgent_and_old = received(30, is_urgent=True)
    new_today = received(0)
    urgent_but_done = received(2, is_urgent=True, status=Status.COMPLETED)

    page = office.get(CHANGELIST).text

    in_order = sorted(
        [contacted_yesterday, new_last_week, urgent_and_old, new_today, urgent_but_done],
        key=page.index,
    )
    assert in_order == [
        urgent_and_old,
        new_today,
        new_last_week,
        contacted_yesterday,
        urgent_but_done,
    ]


def test_mark_as_contacted_moves_only_new_requests_and_says_so(office, office_user):
    new = AppointmentRequestFactory.create_batch(2)
    scheduled = AppointmentRequestFactory(status=Status.SCHEDULED)

    response = office.post(
        CHANGELIST,
        {
            "action": "mark_contacted",
            "_selected_action": [request.pk for request in [*new, scheduled]],
        },
        follow=True,
    )

    assert "Marked 2 requests as contacted. Skipped 1 that was not new." in response.text
    assert set(AppointmentRequest.objects.values_list("status", flat=True)) == {
        Status.CONTACTED,
        Status.SCHEDULED,
    }
    changes = StatusChange.objects.filter(to_status=Status.CONTACTED)
    assert {change.appointment_request for change in changes} == set(new)
    assert {change.changed_by for change in changes} == {office_user}
    assert not scheduled.status_changes.exists()


# The CSV export.


def test_the_list_offers_its_own_rows_as_csv(office):
    AppointmentRequestFactory.create_batch(2, status=Status.CONTACTED)
    AppointmentRequestFactory()

    page = office.get(CHANGELIST, {"status__exact": "contacted"}).text

    assert "Export these 2 requests as CSV" in page
    assert f'href="{EXPORT}?status__exact=contacted"' in page


def test_the_export_keeps_the_filter(office):
    contacted = AppointmentRequestFactory(status=Status.CONTACTED)
    AppointmentRequestFactory()

    rows = read_csv(office.get(EXPORT, {"status__exact": "contacted"}))

    assert [row["Reference"] for row in rows] == [contacted.reference]


def test_the_export_keeps_the_search_and_spells_names_right(office):
    AppointmentRequestFactory(full_name="Ana María Núñez", phone="+12015550199")
    AppointmentRequestFactory(full_name="John Smith")

    response = office.get(EXPORT, {"q": "Núñez"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert [(row["Name"], row["Phone"]) for row in rows] == [("Ana María Núñez", "(201) 555-0199")]


def test_the_export_leaves_out_clinical_text(office):
    AppointmentRequestFactory(
        message="It has hurt since my operation.",
        surgery_place="St. Elsewhere Hospital",
        referring_doctor="Dr. Referrer",
        red_flags=["leg_weakness"],
    )

    content = office.get(EXPORT).content.decode("utf-8")

    for clinical in ["hurt since my operation", "St. Elsewhere", "Referrer", "weakness"]:
        assert clinical not in content


def test_the_export_defuses_cells_a_spreadsheet_would_run(office):
    AppointmentRequestFactory(full_name='=HYPERLINK("http://evil.test","Click")')

    (row,) = read_csv(office.get(EXPORT))

    assert row["Name"] == '\'=HYPERLINK("http://evil.test","Click")'


def test_the_export_gives_times_in_the_practice_time_zone(office):
    booked = AppointmentFactory(starts_at=datetime(2031, 3, 4, 9, 15, tzinfo=PRACTICE_ZONE))
    AppointmentRequest.objects.filter(pk=booked.appointment_request.pk).update(
        created_at=datetime(2031, 1, 2, 3, 4, tzinfo=UTC)
    )

    (row,) = read_csv(office.get(EXPORT))

    zone = timezone.get_current_timezone_name()
    assert row[f"Appointment ({zone})"] == "2031-03-04 09:15"
    expected = timezone.localtime(datetime(2031, 1, 2, 3, 4, tzinfo=UTC))
    assert row[f"Received ({zone})"] == f"{expected:%Y-%m-%d %H:%M}"


# Who may do what.


@pytest.mark.parametrize("page", ["changelist", "change", "export"])
def test_content_editors_cannot_open_appointment_requests(editor, page):
    appointment_request = AppointmentRequestFactory()
    url = {"changelist": CHANGELIST, "change": change_url(appointment_request), "export": EXPORT}

    assert editor.get(url[page]).status_code == 403


def test_office_staff_cannot_edit_a_condition(office):
    condition = ConditionFactory()
    url = reverse("admin:conditions_condition_change", args=[condition.pk])

    assert office.get(url).status_code == 403
    assert office.post(url, {"title": "Changed"}).status_code == 403


def test_office_staff_can_mark_a_day_closed(office, location):
    day = next_week()

    response = office.post(
        reverse("admin:practice_closure_add"),
        {"reason": "Thanksgiving", "starts_on": day.isoformat(), "location": location.pk},
    )

    assert response.status_code == 302
    assert location.closures.get().ends_on == day


def test_only_staff_who_may_assign_requests_are_offered_as_assignees(office, office_user):
    in_group(CONTENT_EDITORS, username="editor")

    form = office.get(change_url(AppointmentRequestFactory())).context["adminform"].form

    assert list(form.fields["assignee"].queryset) == [office_user]


# The admin's index.


def test_the_index_counts_the_new_requests_and_the_urgent_ones(office):
    AppointmentRequestFactory.create_batch(2)
    AppointmentRequestFactory(is_urgent=True)
    AppointmentRequestFactory(status=Status.CONTACTED, is_urgent=True)
    StatusChangeFactory()  # its request is new too

    page = office.get(reverse("admin:index")).text

    assert "4 new appointment requests (1 urgent)" in page
    assert f"{CHANGELIST}?status__exact=new" in page


def test_the_index_says_nothing_of_requests_to_content_editors(editor):
    AppointmentRequestFactory()

    assert "new appointment request" not in editor.get(reverse("admin:index")).text


# What the office cannot book, and what the history keeps besides the status.


def test_a_weekday_the_location_does_not_see_patients_is_refused(office):
    clinic = LocationFactory(name="Riverside clinic")
    OpeningHoursFactory(location=clinic, weekday=Weekday.TUESDAY)
    OpeningHoursFactory(location=clinic, weekday=Weekday.THURSDAY)
    monday = next_week() + timedelta(days=7 - next_week().weekday())

    response = schedule(office, AppointmentRequestFactory(), clinic, monday)

    assert response.context["adminform"].form.errors == {
        "appointment_date": [
            "Riverside clinic does not see patients on Mondays; it is open Tuesday and Thursday."
        ]
    }


def test_a_date_years_ahead_is_refused_as_a_typing_mistake(office, location):
    response = schedule(office, AppointmentRequestFactory(), location, date(9999, 12, 31))

    assert response.context["adminform"].form.errors == {
        "appointment_date": ["Book at most 730 days ahead."]
    }


def test_a_time_the_clocks_skip_is_refused(office, location):
    # In New York the clocks go from 2:00 to 3:00 on the second Sunday in March.
    year = timezone.localdate().year + 1
    march = [date(year, 3, day) for day in range(8, 15)]
    [clocks_change] = [day for day in march if day.weekday() == Weekday.SUNDAY]

    response = schedule(office, AppointmentRequestFactory(), location, clocks_change, at="02:30")

    assert response.context["adminform"].form.errors == {
        "appointment_time": ["That time does not exist: the clocks change that night."]
    }


def test_an_unpublished_location_is_not_offered(office):
    LocationFactory(name="Old clinic", is_published=False)

    form = office.get(change_url(AppointmentRequestFactory())).context["adminform"].form

    assert "Old clinic" not in [
        str(choice) for choice in form.fields["appointment_location"].queryset
    ]


def test_assigning_and_marking_urgent_are_kept_in_the_history(office, office_user):
    appointment_request = AppointmentRequestFactory()

    save_request(office, appointment_request, assignee=office_user.pk, is_urgent="on")

    details = [step.detail for step in appointment_request.status_changes.all()]
    assert details == ["Assigned to Maria Lopez", "Marked urgent"]
    page = office.get(change_url(appointment_request)).text
    assert "Assigned to Maria Lopez" in inline_on(page, "status_changes")


def test_the_list_shows_who_is_coming_in_tomorrow_and_where(office, location):
    other_clinic = LocationFactory(name="Downtown clinic")
    tomorrow = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time(9, 30))
    )
    coming = AppointmentFactory(starts_at=tomorrow, location=location).appointment_request
    AppointmentFactory(starts_at=tomorrow + timedelta(days=3), location=location)
    AppointmentFactory(starts_at=tomorrow, location=other_clinic)

    response = office.get(
        CHANGELIST, {"appointment_day": "tomorrow", "appointment_location": location.pk}
    )

    assert listed(response) == [coming]


def test_content_editors_cannot_change_who_receives_the_requests(editor):
    url = reverse("admin:practice_practice_change", args=[Practice.get_solo().pk])
    page = editor.get(url)

    assert page.status_code == 200
    assert "office_recipients" not in page.context["adminform"].form.fields


def test_the_office_changes_who_receives_the_requests(office):
    practice = Practice.get_solo()
    url = reverse("admin:practice_practice_change", args=[practice.pk])
    data = admin_form_data(office.get(url), office_recipients="front-desk@practice.test")

    response = office.post(url, data)

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.get_office_recipients() == ["front-desk@practice.test"]
