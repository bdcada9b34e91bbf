"""What each public page costs the database, however much content it shows.

Every page shows the practice's details, which every process keeps in the shared cache
(practice/selectors.py): the budgets hold once any page has put them there, as they are for
every request but the first after staff change them. A cold cache adds their three queries.
"""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import Location
from tests.factories import (
    AppointmentFactory,
    ClinicSessionFactory,
    ClosureFactory,
    ConditionFactory,
    ConditionSectionFactory,
    LocationFactory,
    OpeningHoursFactory,
    QuestionFactory,
    SurgeonFactory,
    VisitTypeFactory,
)
from tests.support.environment import redis_cache
from tests.support.staff import log_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_rendered_every_time(settings):
    """The budgets are for rendering a page; tests/test_page_cache.py has the cached page's."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def site(client, practice):
    """Three locations with their hours and closures, and the practice's details cached."""
    for name in ["Downtown clinic", "Riverside clinic", "Hilltop clinic"]:
        location = LocationFactory(name=name)
        for weekday in [0, 2, 4]:
            OpeningHoursFactory(location=location, weekday=weekday)
        ClosureFactory(location=location)
    ClosureFactory()
    SurgeonFactory(is_default=True)
    SurgeonFactory()
    client.get(reverse("practice:home"))
    return client


def full_condition(*, sections, questions, related):
    condition = ConditionFactory(
        approach="<p>We look for the cause.</p>", reviewed_by=SurgeonFactory(), is_featured=True
    )
    for number in range(sections):
        ConditionSectionFactory(condition=condition, heading=f"Part {number}")
    for number in range(questions):
        QuestionFactory(condition=condition, question=f"Question {number}?")
    for number in range(related):
        condition.related_conditions.add(ConditionFactory(title=f"Related {number} to {condition}"))
    return condition


@pytest.mark.parametrize(("sections", "questions", "related"), [(20, 30, 5), (1, 1, 1)])
def test_condition_page_costs_at_most_five_queries_however_long_it_is(
    site, django_assert_max_num_queries, sections, questions, related
):
    condition = full_condition(sections=sections, questions=questions, related=related)

    with django_assert_max_num_queries(5):
        response = site.get(condition.get_absolute_url())

    page = response.text
    assert response.status_code == 200
    assert f"Part {sections - 1}" in page
    assert f"Question {questions - 1}?" in page
    assert f"Related {related - 1} to {condition}" in page


def test_condition_page_preview_costs_no_more_than_the_page(
    site, admin_user, django_assert_max_num_queries
):
    condition = full_condition(sections=20, questions=30, related=5)
    log_in_verified(site, admin_user)
    site.get(condition.get_preview_url())  # the session and the user, read once logged in

    # The session and the user, then the page's five.
    with django_assert_max_num_queries(7):
        response = site.get(condition.get_preview_url())

    assert "Part 19" in response.text


def test_condition_list_costs_at_most_three_queries(site, django_assert_max_num_queries):
    for _ in range(12):
        full_condition(sections=3, questions=2, related=2)

    with django_assert_max_num_queries(3):
        response = site.get(reverse("conditions:list"))

    assert response.status_code == 200
    assert response.text.count('href="/conditions/') >= 12


def test_faq_page_costs_at_most_three_queries(site, django_assert_max_num_queries):
    for _ in range(4):
        full_condition(sections=1, questions=5, related=0)
    QuestionFactory.create_batch(10)

    with django_assert_max_num_queries(3):
        response = site.get(reverse("faq:list"))

    assert response.status_code == 200
    assert response.text.count("<summary>") == 30


def test_home_page_costs_at_most_five_queries(site, django_assert_max_num_queries):
    for _ in range(6):
        full_condition(sections=3, questions=2, related=2)

    with django_assert_max_num_queries(5):
        response = site.get(reverse("practice:home"))

    assert response.status_code == 200
    assert "Hilltop clinic" in response.text


def test_surgeon_profile_costs_at_most_three_queries(site, django_assert_max_num_queries):
    surgeon = SurgeonFactory(name="Dr. Ana Example", slug="dr-ana-example")

    with django_assert_max_num_queries(3):
        response = site.get(surgeon.get_absolute_url())

    assert "Dr. Ana Example" in response.text


def test_appointment_form_costs_at_most_six_queries_whatever_the_locations(
    site, django_assert_max_num_queries
):
    ConditionFactory.create_batch(8)

    with django_assert_max_num_queries(6):
        response = site.get(reverse("appointments:request"))

    page = response.text
    assert "Downtown clinic, Testville (Monday, Wednesday and Friday)" in page
    assert "Hilltop clinic, Testville (Monday, Wednesday and Friday)" in page


def test_booking_form_costs_at_most_six_queries_whatever_the_sessions_and_bookings(
    site, django_assert_max_num_queries
):
    """The visit types, the first week with open times (sessions, closures, bookings:
    one look over the next 60 days), the conditions."""
    visit_type = VisitTypeFactory(slug="follow-up")
    for weekday in range(5):
        ClinicSessionFactory(visit_types=[visit_type], weekday=weekday, ends=time(17))
    for day in range(2, 30):
        AppointmentFactory(starts_at=timezone.now() + timedelta(days=day))
    ConditionFactory.create_batch(8)
    site.get(reverse("practice:home"))  # the practice's details, cached again after the saves

    with django_assert_max_num_queries(6):
        response = site.get(reverse("appointments:request"), {"visit_type": "follow-up"})

    assert response.text.count('name="start"') > 20


def test_a_cold_cache_costs_the_practice_details_once(client, practice, django_assert_num_queries):
    LocationFactory.create_batch(3)
    url = reverse("conditions:list")

    with django_assert_num_queries(4):  # the practice, its locations, their hours; the list
        client.get(url)
    with django_assert_num_queries(1):
        client.get(url)


def test_practice_details_are_read_from_the_database_when_the_cache_is_down(
    client, practice, settings
):
    settings.CACHES = redis_cache(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    LocationFactory(name="Downtown clinic")

    response = client.get(reverse("practice:home"))

    assert response.status_code == 200
    assert "Downtown clinic" in response.text


def test_location_deleted_in_bulk_leaves_the_pages_at_once(site):
    Location.objects.filter(name="Riverside clinic").delete()

    assert "Riverside clinic" not in site.get(reverse("practice:home")).text
