"""The sitemap's parts that every app builds on, and the practice's own pages.

Each app keeps the sitemap of its pages in its own `sitemaps.py`; the root URLs put them
together. A page's last change counts the practice's details too: every page shows them.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Surgeon
from .selectors import cached_practice_details


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL, as the canonical links are, whichever host asked."""

    protocol = urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def latest(*moments):
    return max((moment for moment in moments if moment), default=None)


def newest(queryset, field="updated_at"):
    return queryset.aggregate(newest=Max(field))["newest"]


def practice_details_changed():
    """When the practice's details or one of its published locations last changed."""
    practice, locations = cached_practice_details()
    return latest(practice.updated_at, *(location.updated_at for location in locations))


class NamedPageSitemap(SiteSitemap):
    """One page with an address of its own (a URL name), dated by the newest change to
    the practice's details or to what `content_changed()` says the page shows."""

    url_name = None

    def items(self):
        return [self.url_name]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return latest(practice_details_changed(), self.content_changed())

    def content_changed(self):
        return None


class HomeSitemap(NamedPageSitemap):
    """The home page, which shows the surgeons and whatever else `shows` names: callables,
    one per app, that say when the content it puts on the home page last changed."""

    url_name = "practice:home"

    def __init__(self, *, shows=()):
        self.shows = shows

    def content_changed(self):
        return latest(newest(Surgeon.objects.published()), *(changed() for changed in self.shows))


class SurgeonSitemap(SiteSitemap):
    def items(self):
        return Surgeon.objects.published()

    def lastmod(self, surgeon):
        return surgeon.updated_at
