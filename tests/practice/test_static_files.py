"""Static files as production serves them: hashed, compressed, cached for ever, and few."""

import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
FOR_EVER = "max-age=315360000, public, immutable"
LINKED_FILES = re.compile(r'<(?:link rel="stylesheet"|script)[^>]* (?:href|src)="([^"]+)"')


@pytest.fixture
def production_static(settings, static_root):
    settings.STATIC_ROOT = static_root
    settings.STORAGES = settings.STORAGES | {"staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    # A new client, so that a new WhiteNoise reads the folder just collected.
    return Client()


def test_whitenoise_answers_before_the_rest_of_the_middleware():
    assert settings.MIDDLEWARE[:3] == [
        "practice.client_address.ForwardedHeadersMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_production_stores_hashed_files_compressed_with_gzip_and_brotli(static_root):
    names = {path.name for path in (static_root / "css").iterdir()}
    hashed = next(name for name in names if re.fullmatch(r"site\.[0-9a-f]{12}\.css", name))

    assert {f"{hashed}.gz", f"{hashed}.br"} <= names


def test_a_hashed_stylesheet_is_sent_brotli_compressed_and_cached_for_ever(
    production_static, practice, condition
):
    page = production_static.get(condition.get_absolute_url()).text
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)[1]

    response = production_static.get(stylesheet, headers={"Accept-Encoding": "gzip, br"})

    assert response.status_code == 200
    assert response["Cache-Control"] == FOR_EVER
    assert response["Content-Encoding"] == "br"


def test_a_condition_pages_own_css_and_js_are_under_30_kb_compressed(
    production_static, practice, condition
):
    page = production_static.get(condition.get_absolute_url()).text
    files = LINKED_FILES.findall(page)
    sizes = []
    for url in files:
        response = production_static.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200, url
        sizes.append(len(b"".join(response.streaming_content)))

    assert files
    assert sum(sizes) < 30 * 1024


def test_nothing_in_the_head_blocks_rendering_but_the_stylesheet(client, practice, condition):
    page = client.get(condition.get_absolute_url()).text
    head = page[: page.index("</head>")]

    scripts = re.findall(r"<script\b[^>]*>", head)
    assert all(
        "application/ld+json" in tag or " defer" in tag or " async" in tag for tag in scripts
    )
    assert "fonts.googleapis" not in page
    assert "@font-face" not in (settings.BASE_DIR / "static/css/site.css").read_text()
