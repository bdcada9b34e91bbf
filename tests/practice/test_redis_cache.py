"""The cache in Redis loads only what the site wrote: a value planted by another writer
(a pickle that runs code when loaded) reads as a miss, and runs nothing."""

import logging
import os
import pickle

import pytest
import redis
from django.core.cache import cache
from django.http import HttpResponse

from tests.support.environment import redis_cache, require


class Planted:
    """A pickle that, when loaded, creates the file at `path`: it could run anything."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture
def redis_url(settings):
    require(os.environ.get("REDIS_URL"), "REDIS_URL names no Redis server")
    settings.CACHES = redis_cache(os.environ["REDIS_URL"])
    cache.delete_many(["planted", "page", "count", "kept"])
    return os.environ["REDIS_URL"]


def plant(redis_url, key, value):
    """Write `value` in Redis under the cache's own key, as another program could."""
    redis.Redis.from_url(redis_url).set(cache.make_and_validate_key(key), value)


def test_a_pickle_planted_in_redis_is_not_loaded(redis_url, tmp_path, caplog):
    ran = tmp_path / "ran"
    plant(redis_url, "planted", pickle.dumps(Planted(ran)))
    caplog.set_level(logging.WARNING, logger="practice.redis_cache")

    assert cache.get("planted", "a miss") == "a miss"
    assert cache.get_many(["planted"]) == {}
    assert not ran.exists()
    assert "did not write" in caplog.text


def test_what_the_site_wrote_reads_back(redis_url):
    cache.set("page", HttpResponse("<p>Revision spine surgery</p>", headers={"ETag": '"1"'}))
    cache.set("count", 1)
    cache.incr("count")

    page = cache.get("page")
    assert page.content == b"<p>Revision spine surgery</p>"
    assert page["ETag"] == '"1"'
    assert cache.get_many(["page", "count"])["count"] == 2


def test_a_value_signed_with_another_key_is_a_miss(redis_url, settings):
    cache.set("kept", "a page")
    settings.SECRET_KEY = "another-sites-key"

    assert cache.get("kept") is None


def test_a_value_written_before_the_key_was_rotated_reads_back(redis_url, settings):
    cache.set("kept", "a page")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-key"

    assert cache.get("kept") == "a page"
