"""Static files and staff's uploads come from nginx itself: the site's one worker never
spends a moment on them, and they are served even with no web process at all."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import SurgeonFactory
from tests.support.forms import png_image
from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)

STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/css/site\.[0-9a-f]{12}\.css)">')
FOR_EVER = "public, max-age=31536000, immutable"


def test_the_hashed_stylesheet_is_kept_for_ever_and_sent_compressed_by_nginx(
    front, site, static_root, brotli_modules
):
    path = STYLESHEET.search(fetch(front.url, "/").text)[1]
    file = static_root / path.removeprefix("/static/")

    answers = {
        encoding: fetch(front.url, path, headers={"Accept-Encoding": encoding})
        for encoding in ["br", "gzip", "identity"]
    }

    for answer in answers.values():
        assert answer.status == 200
        assert answer.header("Cache-Control") == FOR_EVER
        assert answer.header("X-Content-Type-Options") == "nosniff"
        assert answer.header("Content-Type") == "text/css"
        assert answer.content == file.read_bytes()
    # The copies collectstatic compressed once, not a compression per request.
    assert answers["br"].header("Content-Encoding") == "br"
    assert answers["br"].body == file.with_name(f"{file.name}.br").read_bytes()
    assert answers["gzip"].header("Content-Encoding") == "gzip"
    assert answers["gzip"].body == file.with_name(f"{file.name}.gz").read_bytes()
    assert answers["identity"].header("Content-Encoding") is None
    assert site.was_asked(path) == 0


def test_a_photo_staff_uploaded_is_sent_by_nginx_as_a_file_never_sniffed(front, site):
    photo = SimpleUploadedFile("portrait.png", png_image(4, 4), content_type="image/png")
    surgeon = SurgeonFactory(photo=photo, photo_alt="The surgeon in a clinic room")

    answer = fetch(front.url, surgeon.photo.url)

    assert answer.status == 200
    assert answer.content == png_image(4, 4)
    assert answer.header("Content-Type") == "image/png"
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert site.was_asked(surgeon.photo.url) == 0


def test_an_upload_with_a_page_inside_is_never_run_as_one_of_the_sites_pages(
    front, site, media_root
):
    """Were a file with HTML inside to slip in as a photo, a browser would still take it
    for what its name says, and run nothing of it as the site."""
    disguised = media_root / "surgeons" / "portrait.png"
    disguised.parent.mkdir(parents=True, exist_ok=True)
    disguised.write_text("<html><script>steal(document.cookie)</script></html>")

    answer = fetch(front.url, "/media/surgeons/portrait.png")

    assert answer.header("Content-Type") == "image/png"
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in answer.header("Content-Security-Policy")
    assert site.was_asked("/media/surgeons/portrait.png") == 0


def test_static_and_media_files_are_served_with_no_web_process_behind_the_front(
    lone_front, static_root, media_root
):
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    stylesheet = "/static/" + manifest["paths"]["css/site.css"]
    upload = media_root / "surgeons" / "portrait.png"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(png_image())

    assert fetch(lone_front.url, stylesheet).status == 200
    assert fetch(lone_front.url, "/media/surgeons/portrait.png").content == png_image()
