from practice.sitemaps import NamedPageSitemap, SiteSitemap, latest, newest

from .models import Condition


def conditions_changed():
    """When the published pages last changed: an edit, or a scheduled page going live."""
    published = Condition.objects.published()
    went_live = newest(published.filter(publish_at__isnull=False), "publish_at")
    return latest(newest(published), went_live)


class ConditionListSitemap(NamedPageSitemap):
    url_name = "conditions:list"

    def content_changed(self):
        return conditions_changed()


class ConditionSitemap(SiteSitemap):
    def items(self):
        return Condition.objects.published()

    def lastmod(self, condition):
        return condition.modified_at
