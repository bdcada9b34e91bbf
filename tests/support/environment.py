"""Whether this machine has the services a test needs: without one, a test is skipped
here and fails in CI (CI=true), which provides them all."""

import os

import pytest

IN_CI = os.environ.get("CI") == "true"


def require(available, reason):
    """Skip a test whose service is missing here; in CI, fail it instead."""
    if not available:
        pytest.fail(reason) if IN_CI else pytest.skip(reason)


def redis_cache(location, **options):
    """CACHES for the practice's Redis cache at `location`."""
    return {
        "default": {
            "BACKEND": "practice.redis_cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        }
    }
