from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from conditions.models import Condition


class PageSitemap(Sitemap):
    def items(self):
        return ["practice:home", "conditions:list", "faq:list", "appointments:request"]

    def location(self, item):
        return reverse(item)


class ConditionSitemap(Sitemap):
    def items(self):
        return Condition.objects.published()

    def lastmod(self, condition):
        return condition.updated_at


SITEMAPS = {"pages": PageSitemap, "conditions": ConditionSitemap}
