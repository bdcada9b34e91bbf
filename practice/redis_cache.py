"""Django's Redis cache, loading only what the site wrote, with one client per pool.

Django's serializer unpickles whatever it finds in Redis, and a pickle can run any code
as it loads: whoever can write to Redis (another program on the machine, a leaked
password) could run code in every web process that reads the cache. The page cache keeps
whole pages, so a data-only format will not do. Each value is pickled behind an
HMAC-SHA256 of it under a key derived from SECRET_KEY (or one of SECRET_KEY_FALLBACKS, so
that pages kept before a rotation still read); a value whose signature does not verify is
never unpickled: it reads as a miss, with a warning, and the next write replaces it.

Django's client builds a new `redis.Redis` for every cache call, and each one fills a
table of some 170 response handlers: about 0.15 ms, which is a third of the work of
serving a cached page. A `redis.Redis` holds no connection of its own (its pool does)
and may be shared between threads, so one per pool serves every call.
"""

import logging
import pickle

from django.conf import settings
from django.core.cache.backends import redis
from django.utils.crypto import constant_time_compare, salted_hmac

logger = logging.getLogger(__name__)

SALT = "practice.redis_cache.SignedPickleSerializer"
SIGNATURE_BYTES = 32  # SHA-256


class UnsignedValue(Exception):
    """A value in the cache that the site did not write."""


def signature(data, secret):
    return salted_hmac(SALT, data, secret=secret, algorithm="sha256").digest()


class SignedPickleSerializer(redis.RedisSerializer):
    def dumps(self, obj):
        data = super().dumps(obj)
        if isinstance(data, int):
            # Kept bare, as Django keeps it, for incr() in Redis itself: int() runs no code.
            return data
        return signature(data, settings.SECRET_KEY) + data

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            pass
        signed, pickled = data[:SIGNATURE_BYTES], data[SIGNATURE_BYTES:]
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
            if constant_time_compare(signed, signature(pickled, secret)):
                return pickle.loads(pickled)
        raise UnsignedValue


def refused(key):
    logger.warning(
        "The cache holds a value under %s that the site did not write (or wrote with a key "
        "it no longer has): read as a miss.",
        key,
    )


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, serializer=SignedPickleSerializer, **kwargs):
        super().__init__(*args, serializer=serializer, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def get(self, key, default):
        try:
            return super().get(key, default)
        except UnsignedValue:
            refused(key)
            return default

    def get_many(self, keys):
        found = {}
        for key, value in zip(keys, self.get_client(None).mget(keys), strict=True):
            if value is not None:
                try:
                    found[key] = self._serializer.loads(value)
                except UnsignedValue:
                    refused(key)
        return found


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
