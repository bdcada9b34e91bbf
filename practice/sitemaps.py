from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from conditions.models import Condition
from faq.models import Question

from .models import Practice, Surgeon


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL, as the canonical links are, whichever host asked."""

    protocol = urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


def latest(*dates):
    return max((date for date in dates if date), default=None)


class PageSitemap(SiteSitemap):
    """The fixed pages, each dated by the newest change to what it shows."""

    def items(self):
        return ["practice:home", "conditions:list", "faq:list", "appointments:request"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        practice = Practice.objects.values_list("updated_at", flat=True).first()
        conditions = Condition.objects.published().aggregate(Max("updated_at"))
        if item == "faq:list":
            questions = Question.objects.published().aggregate(Max("updated_at"))
            return latest(practice, questions["updated_at__max"])
        if item == "practice:home":
            surgeons = Surgeon.objects.published().aggregate(Max("updated_at"))
            return latest(practice, conditions["updated_at__max"], surgeons["updated_at__max"])
        if item == "conditions:list":
            return latest(practice, conditions["updated_at__max"])
        return practice


class ConditionSitemap(SiteSitemap):
    def items(self):
        return Condition.objects.published()

    def lastmod(self, condition):
        return condition.updated_at


class SurgeonSitemap(SiteSitemap):
    def items(self):
        return Surgeon.objects.published()

    def lastmod(self, surgeon):
        return surgeon.updated_at


SITEMAPS = {"pages": PageSitemap, "conditions": ConditionSitemap, "surgeons": SurgeonSitemap}
