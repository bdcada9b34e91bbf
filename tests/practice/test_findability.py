"""What search engines read: titles, descriptions, canonical and Open Graph tags, JSON-LD."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ConditionFactory,
    LocationFactory,
    OpeningHoursFactory,
    QuestionFactory,
    SurgeonFactory,
)
from tests.support.forms import PNG_1X1

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def json_ld_nodes(page):
    """The page's JSON-LD, parsed, as {type: node}; fails if any script is not valid JSON."""
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    return {node["@type"]: node for node in data["@graph"]}


def meta(page, attribute, name):
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)">', page)
    return match and match.group(1)


@pytest.fixture
def surgeon():
    return SurgeonFactory(
        name="Dr. Jane Example",
        slug="dr-jane-example",
        role="Consultant spine surgeon",
        credentials="MD",
        specialties="Revision spine surgery\nSpinal fusion",
        affiliations="Example General Hospital",
        is_default=True,
    )


@pytest.fixture
def reviewed_condition(condition, surgeon):
    condition.also_known_as = "Redo spine surgery, spine reoperation"
    condition.reviewed_by = surgeon
    condition.last_reviewed_on = date(2026, 11, 2)
    condition.save()
    QuestionFactory(
        condition=condition,
        question="Is it riskier?",
        answer="<p>Usually, yes.</p><p>We plan for it.</p>",
    )
    return condition


def test_condition_page_is_a_medical_web_page_about_the_condition(client, reviewed_condition):
    page = client.get(reviewed_condition.get_absolute_url()).text

    nodes = json_ld_nodes(page)
    url = f"{settings.SITE_URL}/conditions/revision-spine-surgery/"
    web_page = nodes["MedicalWebPage"]
    assert web_page["url"] == url
    assert web_page["about"]["@type"] == "MedicalCondition"
    assert web_page["about"]["name"] == "Revision spine surgery"
    assert web_page["about"]["alternateName"] == ["Redo spine surgery", "spine reoperation"]
    assert web_page["reviewedBy"]["@type"] == "Physician"
    assert web_page["reviewedBy"]["name"] == "Dr. Jane Example"
    assert web_page["reviewedBy"]["url"] == f"{settings.SITE_URL}/surgeons/dr-jane-example/"
    assert web_page["lastReviewed"] == "2026-11-02"
    assert web_page["dateModified"] == reviewed_condition.updated_at.isoformat()


def test_condition_page_lists_its_questions_and_breadcrumbs(client, reviewed_condition):
    nodes = json_ld_nodes(client.get(reviewed_condition.get_absolute_url()).text)

    assert nodes["FAQPage"]["mainEntity"] == [
        {
            "@type": "Question",
            "name": "Is it riskier?",
            "acceptedAnswer": {"@type": "Answer", "text": "Usually, yes. We plan for it."},
        }
    ]
    trail = nodes["BreadcrumbList"]["itemListElement"]
    assert [(item["position"], item["name"], item["item"]) for item in trail] == [
        (1, "Home", f"{settings.SITE_URL}/"),
        (2, "Conditions", f"{settings.SITE_URL}/conditions/"),
        (3, "Revision spine surgery", f"{settings.SITE_URL}/conditions/revision-spine-surgery/"),
    ]


def test_condition_page_has_its_own_title_description_canonical_and_open_graph(
    client, practice, condition
):
    condition.summary = "Surgery again on a spine that has been operated on before."
    condition.save()
    response = client.get(condition.get_absolute_url(), {"utm_source": "newsletter"})

    page = response.text
    url = f"{settings.SITE_URL}/conditions/revision-spine-surgery/"
    assert "<title>Revision spine surgery · Test Spine Practice</title>" in page
    assert meta(page, "name", "description") == condition.summary
    assert f'<link rel="canonical" href="{url}">' in page
    assert meta(page, "property", "og:url") == url
    assert meta(page, "property", "og:title") == "Revision spine surgery"
    assert meta(page, "property", "og:type") == "article"
    assert meta(page, "property", "og:description") == condition.summary


def test_a_long_summary_is_cut_to_what_a_search_result_shows(client, condition):
    condition.summary = "Words about the spine. " * 20
    condition.save()

    page = client.get(condition.get_absolute_url()).text

    description = meta(page, "name", "description")
    assert len(description) == 160
    assert description.endswith("…")
    assert condition.summary.startswith(description[:-1])


def test_a_reviewer_without_a_public_profile_is_named_without_a_link(client, reviewed_condition):
    reviewed_condition.reviewed_by.is_published = False
    reviewed_condition.reviewed_by.save()

    nodes = json_ld_nodes(client.get(reviewed_condition.get_absolute_url()).text)

    assert nodes["MedicalWebPage"]["reviewedBy"] == {
        "@type": "Physician",
        "name": "Dr. Jane Example",
    }


def test_text_typed_by_staff_cannot_break_out_of_the_json_ld(client, condition):
    condition.title = "Stenosis </script><script>alert(1)</script>"
    condition.save()

    page = client.get(condition.get_absolute_url()).text

    assert "<script>alert(1)" not in page
    assert json_ld_nodes(page)["MedicalWebPage"]["name"] == condition.title


def test_home_page_describes_the_clinic_and_the_physician(client, practice, surgeon):
    location = LocationFactory(name="Downtown clinic", street_address="100 Example Street")
    OpeningHoursFactory(location=location, weekday=0, opens="08:30", closes="17:00")

    nodes = json_ld_nodes(client.get(reverse("practice:home")).text)

    clinic = nodes["MedicalClinic"]
    assert clinic["name"] == "Test Spine Practice"
    assert clinic["telephone"] == "+1 555 0123"
    assert clinic["address"]["streetAddress"] == "100 Example Street"
    [department] = clinic["department"]
    assert department["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": "https://schema.org/Monday",
            "opens": "08:30",
            "closes": "17:00",
        }
    ]
    physician = nodes["Physician"]
    assert physician["name"] == "Dr. Jane Example"
    assert physician["knowsAbout"] == ["Revision spine surgery", "Spinal fusion"]


def test_profile_page_describes_the_physician_and_the_clinic(client, practice, surgeon):
    page = client.get(surgeon.get_absolute_url()).text

    nodes = json_ld_nodes(page)
    assert nodes["Physician"]["url"] == f"{settings.SITE_URL}/surgeons/dr-jane-example/"
    assert nodes["Physician"]["memberOf"] == [
        {"@type": "Organization", "name": "Example General Hospital"}
    ]
    assert nodes["MedicalClinic"]["name"] == "Test Spine Practice"
    assert "BreadcrumbList" in nodes
    assert "<title>Dr. Jane Example · Test Spine Practice</title>" in page


def test_faq_page_is_an_faq_page(client):
    QuestionFactory(question="Do I need a referral?", answer="<p>Not always.</p>")

    nodes = json_ld_nodes(client.get(reverse("faq:list")).text)

    [question] = nodes["FAQPage"]["mainEntity"]
    assert question["name"] == "Do I need a referral?"
    assert question["acceptedAnswer"]["text"] == "Not always."


def test_surgeon_photo_is_shown_with_its_description_and_shared(client, surgeon):
    surgeon.photo = SimpleUploadedFile("portrait.png", PNG_1X1, content_type="image/png")
    surgeon.photo_alt = "Dr. Example in a clinic room"
    surgeon.save()

    page = client.get(surgeon.get_absolute_url()).text

    assert re.search(r'<img class="surgeon-photo" src="/media/surgeons/portrait[^"]*\.png"', page)
    assert 'alt="Dr. Example in a clinic room" width="1" height="1"' in page
    assert meta(page, "property", "og:image").startswith(f"{settings.SITE_URL}/media/surgeons/")
    assert json_ld_nodes(page)["Physician"]["image"].startswith(settings.SITE_URL)


def test_sitemap_lists_every_published_page_with_its_last_change(
    client, practice, condition, surgeon
):
    ConditionFactory(title="Draft", slug="draft", is_published=False)

    root = ET.fromstring(client.get("/sitemap.xml").content)

    entries = {url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod") for url in root}
    base = settings.SITE_URL
    assert set(entries) == {
        f"{base}/",
        f"{base}/conditions/",
        f"{base}/faq/",
        f"{base}/appointments/",
        f"{base}/conditions/revision-spine-surgery/",
        f"{base}/surgeons/dr-jane-example/",
    }
    assert entries[f"{base}/conditions/revision-spine-surgery/"].text == str(
        timezone.localdate(condition.updated_at)
    )
    assert all(lastmod is not None for lastmod in entries.values())


def test_robots_txt_names_the_sitemap_and_hides_previews(client):
    text = client.get("/robots.txt").text

    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text
    assert "Disallow: /conditions/preview/" in text
