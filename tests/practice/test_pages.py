import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from practice.views import server_error
from tests.factories import (
    ConditionFactory,
    LocationFactory,
    OpeningHoursFactory,
    SurgeonFactory,
)
from tests.support.environment import redis_cache
from tests.support.tasks import celery_publishing_to

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    reverse("practice:home"),
    reverse("conditions:list"),
    "/conditions/revision-spine-surgery/",
    reverse("faq:list"),
    reverse("appointments:request"),
    reverse("appointments:thanks"),
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_has_the_name_booking_button_contact_and_disclaimer(
    client, practice, condition, url
):
    response = client.get(url)

    page = response.text
    assert response.status_code == 200
    assert "Test Spine Practice" in page
    assert ">Book an appointment</a>" in page
    assert '<a href="tel:+15550123">+1 555 0123</a>' in page
    assert "This page is general information, not medical advice." in page
    assert 'href="/static/css/site.css"' in page


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_pages_load_nothing_from_other_sites(client, practice, condition, url):
    page = client.get(url).text.replace(f'"{settings.SITE_URL}/', '"/')

    assert re.findall(r'(?:src|href|action|content)="(?:https?:)?//', page) == []


def test_home_presents_the_practice_surgeon_and_featured_conditions(client, practice):
    SurgeonFactory(name="Dr. Jane Example", slug="dr-jane-example", is_default=True)
    ConditionFactory(title="Revision spine surgery", is_featured=True)
    ConditionFactory(title="Not featured")

    page = client.get(reverse("practice:home")).text

    assert "<h1>Test Spine Practice</h1>" in page
    assert "Spine care you can understand." in page
    assert 'href="/surgeons/dr-jane-example/">Dr. Jane Example</a>' in page
    assert "Revision spine surgery" in page
    assert "Not featured" not in page


def test_surgeon_profile_shows_title_credentials_specialties_affiliations(client):
    surgeon = SurgeonFactory(
        name="Dr. Jane Example",
        role="Consultant spine surgeon",
        credentials="MD, FACS",
        specialties="Revision spine surgery\nSpinal fusion",
        affiliations="Example General Hospital\n\nExample Society of Spine Surgeons",
        biography="<p>Plain words.</p>",
    )

    page = client.get(surgeon.get_absolute_url()).text

    assert "<h1>Dr. Jane Example</h1>" in page
    assert '<p class="eyebrow">Consultant spine surgeon</p>' in page
    assert '<p class="lead">MD, FACS</p>' in page
    assert "<li>Revision spine surgery</li><li>Spinal fusion</li>" in page
    assert "<li>Example General Hospital</li><li>Example Society of Spine Surgeons</li>" in page
    assert "<p>Plain words.</p>" in page


def test_home_shows_each_location_with_its_hours(client, practice):
    location = LocationFactory(name="Riverside clinic", phone="+1 555 0101")
    OpeningHoursFactory(location=location, weekday=1, opens="09:00", closes="13:00")
    OpeningHoursFactory(location=location, weekday=1, opens="14:00", closes="18:00")
    LocationFactory(name="Hidden clinic", is_published=False)

    page = client.get(reverse("practice:home")).text

    assert '<h3 id="location-' in page
    assert "Riverside clinic" in page
    assert "Hidden clinic" not in page
    tuesday = re.search(r'<th scope="row">Tuesday</th>\s*<td>(.*?)</td>', page).group(1)
    assert re.sub(r"<[^>]+>", "", tuesday) == "9:00 a.m. to 1:00 p.m., 2:00 p.m. to 6:00 p.m."
    assert re.search(r'<th scope="row">Monday</th>\s*<td>Closed</td>', page)
    assert '<a href="tel:+15550101">+1 555 0101</a>' in page


def test_every_page_lists_the_locations_in_its_footer(client, practice):
    LocationFactory(name="Riverside clinic", street_address="200 Sample Avenue")

    page = client.get(reverse("faq:list")).text

    assert "200 Sample Avenue" in page


def test_unpublished_surgeon_is_not_found(client):
    surgeon = SurgeonFactory(is_published=False)

    assert client.get(surgeon.get_absolute_url()).status_code == 404


def test_health_check_reports_each_service(client, broker_url):
    with celery_publishing_to(broker_url):
        response = client.get(reverse("practice:healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "up", "cache": "up", "broker": "up", "status": "ok"}


def test_health_check_stays_200_but_degraded_when_the_broker_is_down(client, broker_down):
    """The site keeps taking requests without the broker: a balancer keeps it in service,
    and monitoring sees "degraded"."""
    response = client.get(reverse("practice:healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "up",
        "cache": "up",
        "broker": "down",
        "status": "degraded",
    }


def test_health_check_counts_tasks_run_in_process_as_up(client):
    response = client.get(reverse("practice:healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "up", "cache": "up", "broker": "up", "status": "ok"}


def test_health_check_stays_200_but_degraded_when_the_cache_is_down(client, settings):
    settings.CACHES = redis_cache("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)

    response = client.get(reverse("practice:healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "up",
        "cache": "down",
        "broker": "up",
        "status": "degraded",
    }


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain"
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in response.text


def test_sitemap_lists_published_conditions_only(client, condition):
    ConditionFactory(title="Draft", is_published=False)

    response = client.get("/sitemap.xml")

    assert f"{settings.SITE_URL}/conditions/revision-spine-surgery/" in response.text
    assert "/conditions/draft/" not in response.text
    assert "<lastmod>" in response.text
    assert f"{settings.SITE_URL}/faq/" in response.text


def test_missing_page_is_the_practices_own_with_its_phone(client, practice):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.text
    assert '<a href="tel:+15550123">+1 555 0123</a>' in response.text


def test_server_error_page_is_the_practices_own_with_its_phone(rf, practice):
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.content.decode()
    assert "+1 555 0123" in response.content.decode()


def test_expired_form_gets_a_page_that_says_what_to_do(valid_form_data, practice):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("appointments:request"), valid_form_data)

    assert response.status_code == 403
    assert "Please send the form again" in response.text
    assert "+1 555 0123" in response.text
