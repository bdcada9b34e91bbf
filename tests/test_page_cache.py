"""Public pages served from the shared cache: fresh after every change, the same for all."""

import os
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from conditions.models import Condition
from practice.page_cache import delete_content_version, page_key
from tests.factories import (
    ConditionSectionFactory,
    LocationFactory,
    QuestionFactory,
    SurgeonFactory,
)
from tests.support.environment import redis_cache, require
from tests.support.forms import admin_form_data

pytestmark = pytest.mark.django_db

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')


@pytest.fixture
def site(practice, condition):
    LocationFactory(name="Downtown clinic")
    QuestionFactory(condition=condition, question="How long is the recovery?")
    return SurgeonFactory(name="Dr Ada Example", is_default=True)


def public_urls(site, condition):
    return [
        reverse("practice:home"),
        reverse("conditions:list"),
        condition.get_absolute_url(),
        reverse("faq:list"),
        site.get_absolute_url(),
        reverse("sitemap"),
        reverse("practice:robots"),
    ]


def test_a_warm_condition_page_costs_no_query(
    client, site, condition, django_assert_max_num_queries
):
    url = condition.get_absolute_url()
    client.get(url)

    with django_assert_max_num_queries(0):
        response = client.get(url)

    assert response.status_code == 200
    assert "Revision spine surgery" in response.text


@pytest.mark.parametrize(
    "query",
    ["utm_source=tv&fbclid=second-visitor", "x=123", "page=2&bust=8f3a9c", "=&&%ZZ&a=%00"],
)
def test_a_query_string_no_page_reads_gets_the_cached_page(
    client, site, condition, query, django_assert_max_num_queries
):
    """Adverts' tracking parameters and a flood of made-up ones alike: no render, no key."""
    url = condition.get_absolute_url()
    client.get(f"{url}?utm_source=tv&fbclid=first-visitor")

    with django_assert_max_num_queries(0):
        response = Client().get(f"{url}?{query}")

    assert response.status_code == 200
    assert "Revision spine surgery" in response.text
    assert "visitor" not in response.text
    assert cache.get(page_key(f"{url}?{query}")) is None


def test_a_redirect_keeps_each_visitors_own_query(client, site, condition):
    old_url = condition.get_absolute_url()
    condition.slug = "revision-surgery"
    condition.save()

    plain = client.get(old_url)  # kept in the cache
    first = Client().get(f"{old_url}?fbclid=first-visitor")
    second = Client().get(f"{old_url}?utm_source=newsletter&fbclid=second-visitor")

    assert plain.status_code == first.status_code == second.status_code == 301
    assert plain["Location"] == "/conditions/revision-surgery/"
    assert first["Location"] == "/conditions/revision-surgery/?fbclid=first-visitor"
    assert second["Location"] == (
        "/conditions/revision-surgery/?utm_source=newsletter&fbclid=second-visitor"
    )


def test_a_cached_page_is_refused_to_a_host_the_site_does_not_serve(client, site, condition):
    url = condition.get_absolute_url()
    client.get(url)

    response = Client().get(url, HTTP_HOST="elsewhere.example")

    assert response.status_code == 400
    assert "Revision spine surgery" not in response.text


def test_every_public_page_answers_a_conditional_request_with_304(client, site, condition):
    for url in public_urls(site, condition):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["Cache-Control"] == "public, no-cache", url

        again = client.get(url, headers={"If-None-Match": first["ETag"]})

        assert again.status_code == 304, url
        assert again["ETag"] == first["ETag"]


def test_a_changed_page_does_not_answer_304(client, site, condition):
    url = condition.get_absolute_url()
    etag = client.get(url)["ETag"]
    ConditionSectionFactory(condition=condition, heading="Recovery at home")

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "Recovery at home" in response.text


def test_a_change_published_in_the_admin_shows_on_the_next_request(
    admin_client, client, site, condition
):
    url = condition.get_absolute_url()
    assert "Revision surgery explained" not in client.get(url).text
    client.get(url)  # now from the cache
    change_url = reverse("admin:conditions_condition_change", args=[condition.pk])
    changes = {"title": "Revision surgery explained"}

    response = admin_client.post(
        change_url, admin_form_data(admin_client.get(change_url), **changes)
    )

    assert response.status_code == 302
    assert "Revision surgery explained" in client.get(url).text
    assert "Revision surgery explained" in client.get(reverse("conditions:list")).text


@pytest.mark.parametrize(
    ("change", "url_name", "shown"),
    [
        (
            lambda c: ConditionSectionFactory(condition=c, heading="Getting home"),
            None,
            "Getting home",
        ),
        (
            lambda c: QuestionFactory(condition=c, question="Can I drive?"),
            "faq:list",
            "Can I drive?",
        ),
        (lambda c: SurgeonFactory(name="Dr Bo Second"), "practice:home", "Dr Bo Second"),
        (lambda c: LocationFactory(name="Hilltop clinic"), "conditions:list", "Hilltop clinic"),
        (
            lambda c: (
                Condition.objects.filter(pk=c.pk)
                .first()
                .related_conditions.add(
                    Condition.objects.create(title="Scoliosis", slug="scoliosis", is_published=True)
                )
            ),
            None,
            "Scoliosis",
        ),
    ],
)
def test_any_change_to_what_pages_show_shows_on_the_next_request(
    client, site, condition, change, url_name, shown
):
    url = reverse(url_name) if url_name else condition.get_absolute_url()
    client.get(url)

    change(condition)

    assert shown in client.get(url).text


def test_a_cached_page_holds_nothing_of_the_visitor(client, site, condition):
    url = condition.get_absolute_url()
    client.get(url)

    response = Client().get(url)

    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert "csrfmiddlewaretoken" not in response.text
    assert "nonce" not in response.text
    assert "nonce" not in response["Content-Security-Policy"]


def test_the_form_is_never_cached_and_each_visitor_gets_their_own(site):
    first, second = (
        Client().get(reverse("appointments:request")),
        Client().get(reverse("appointments:request")),
    )

    for response in (first, second):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert "ETag" not in response
    assert CSRF_TOKEN.search(first.text)[1] != CSRF_TOKEN.search(second.text)[1]
    assert SUBMISSION_KEY.search(first.text)[1] != SUBMISSION_KEY.search(second.text)[1]


def test_staff_are_never_served_the_cached_page(admin_client, client, site, condition):
    url = condition.get_absolute_url()
    client.get(url)

    response = admin_client.get(url)

    assert response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


def test_the_front_may_keep_a_public_page_to_the_end_of_this_second(client, site, condition):
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, 0, 400_000, tzinfo=UTC), tick=False):
        first, second = client.get(condition.get_absolute_url()), client.get("/faq/")

    assert first["X-Accel-Expires"] == second["X-Accel-Expires"] == f"@{1796126400}"


def test_the_front_keeps_no_page_that_belongs_to_a_visitor(admin_client, client, site, condition):
    """Marked by what the site rendered, never by its address: a cached form would hand one
    patient's submission key to the next."""
    url = condition.get_absolute_url()
    client.get(url)

    assert "X-Accel-Expires" not in Client().get(reverse("appointments:request"))
    assert "X-Accel-Expires" not in admin_client.get(url)
    assert "X-Accel-Expires" not in Client().get("/conditions/not-yet/")
    assert "X-Accel-Expires" not in Client().get("/healthz")


def test_the_front_cache_can_be_turned_off(client, site, condition, settings):
    settings.FRONT_CACHE_SECONDS = 0

    assert "X-Accel-Expires" not in client.get(condition.get_absolute_url())


def test_a_page_not_found_is_not_kept(client, site):
    assert client.get("/conditions/not-yet/").status_code == 404
    Condition.objects.create(title="Not yet", slug="not-yet", is_published=True)

    assert client.get("/conditions/not-yet/").status_code == 200


def caches(kind):
    if kind == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    require(os.environ.get("REDIS_URL"), "REDIS_URL names no Redis server")
    return redis_cache(os.environ["REDIS_URL"])


@pytest.mark.parametrize("kind", ["locmem", "redis"])
def test_pages_are_cached_and_refreshed_with_either_cache(
    client, settings, site, condition, kind, django_assert_max_num_queries
):
    settings.CACHES = caches(kind)
    delete_content_version()
    url = condition.get_absolute_url()
    client.get(url)

    with django_assert_max_num_queries(0):
        assert "Revision spine surgery" in client.get(url).text
    condition.title = "Revision surgery, explained"
    condition.save()

    assert "Revision surgery, explained" in client.get(url).text
