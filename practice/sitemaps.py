from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property

from conditions.models import Condition
from faq.models import Question

from .models import Location, Practice, Surgeon


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL, as the canonical links are, whichever host asked."""

    protocol = urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def latest(*dates):
    return max((date for date in dates if date), default=None)


def newest(queryset, field="updated_at"):
    return queryset.aggregate(newest=Max(field))["newest"]


class PageSitemap(SiteSitemap):
    """The fixed pages, each dated by the newest change to what it shows."""

    def items(self):
        return ["practice:home", "conditions:list", "faq:list", "appointments:request"]

    def location(self, item):
        return reverse(item)

    @cached_property
    def lastmods(self):
        practice = latest(newest(Practice.objects.all()), newest(Location.objects.published()))
        conditions = Condition.objects.published()
        # A scheduled page changes the list when its time comes, not when it was saved.
        conditions = latest(
            newest(conditions), newest(conditions.filter(publish_at__isnull=False), "publish_at")
        )
        return {
            "practice:home": latest(practice, conditions, newest(Surgeon.objects.published())),
            "conditions:list": latest(practice, conditions),
            "faq:list": latest(practice, newest(Question.objects.published())),
            "appointments:request": practice,
        }

    def lastmod(self, item):
        return self.lastmods[item]


class ConditionSitemap(SiteSitemap):
    def items(self):
        return Condition.objects.published()

    def lastmod(self, condition):
        return condition.modified_at


class SurgeonSitemap(SiteSitemap):
    def items(self):
        return Surgeon.objects.published()

    def lastmod(self, surgeon):
        return surgeon.updated_at


SITEMAPS = {"pages": PageSitemap, "conditions": ConditionSitemap, "surgeons": SurgeonSitemap}
