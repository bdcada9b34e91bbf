import logging

from django.core.cache import cache

from .models import Location, Practice
from .page_cache import delete_cached, forget

logger = logging.getLogger(__name__)

# Every page shows the practice and its locations, so every process keeps one copy in the
# shared cache until staff change them (practice/apps.py forgets it on each save and
# delete). The timeout only bounds how long a change made behind the models' back (raw SQL)
# can go unseen.
PRACTICE_DETAILS_KEY = "practice:details:v1"
PRACTICE_DETAILS_TIMEOUT = 60 * 60


def load_practice_details():
    """The practice and its published locations with their hours, from the database."""
    locations = Location.objects.published().prefetch_related("opening_hours")
    return Practice.get_solo(), list(locations)


def cached_practice_details():
    """The practice and its published locations with their hours, from the shared cache."""
    try:
        details = cache.get(PRACTICE_DETAILS_KEY)
    except Exception:
        # A page must not fail because the cache is down: read the database instead.
        logger.warning(
            "The cache could not be read; the practice's details come from the database."
        )
        return load_practice_details()
    if details is None:
        details = load_practice_details()
        try:
            cache.set(PRACTICE_DETAILS_KEY, details, PRACTICE_DETAILS_TIMEOUT)
        except Exception:
            logger.warning("The cache could not be written; the practice's details were not kept.")
    return details


def practice_details(request):
    """The practice and its published locations with their hours, read once per request."""
    if not hasattr(request, "_practice_details"):
        request._practice_details = cached_practice_details()
    return request._practice_details


def forget_practice_details(**kwargs):
    """Drop the cached details; see page_cache.forget."""
    forget(PRACTICE_DETAILS_KEY)


def delete_practice_details():
    delete_cached(PRACTICE_DETAILS_KEY)
