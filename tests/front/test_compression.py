"""What the front sends is compressed for a browser that says it can read it: pages by
nginx as they pass, static files from the copies collectstatic made."""

import re

import pytest

from tests.support.web import fetch

pytestmark = pytest.mark.django_db(transaction=True)

STATIC_FILES = {
    "stylesheet": re.compile(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"'),
    "icon": re.compile(r'href="(/static/img/favicon\.[0-9a-f]{12}\.svg)"'),
}


def test_a_page_is_sent_compressed(front, encoding):
    answer = fetch(front.url, "/", headers={"Accept-Encoding": encoding})

    assert answer.status == 200
    assert answer.header("Content-Encoding") == encoding
    assert "Accept-Encoding" in answer.header("Vary")
    assert answer.text.startswith("<!doctype html>")
    assert len(answer.body) < len(answer.content) / 2


@pytest.mark.parametrize("kind", ["stylesheet", "icon"])
def test_the_stylesheet_and_the_icon_are_sent_compressed(front, static_root, kind, encoding):
    path = STATIC_FILES[kind].search(fetch(front.url, "/").text)[1]

    answer = fetch(front.url, path, headers={"Accept-Encoding": encoding})

    assert answer.status == 200
    assert answer.header("Content-Encoding") == encoding
    assert answer.content == (static_root / path.removeprefix("/static/")).read_bytes()
    assert len(answer.body) < len(answer.content)
