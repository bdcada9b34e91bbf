"""The site's addresses: each app's own URLs, the admin, and the sitemap that they make up.

The wiring, like settings: the one module of the project package that names every app.
"""

from functools import partial

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from appointments.sitemaps import AppointmentRequestSitemap
from conditions.sitemaps import ConditionListSitemap, ConditionSitemap, conditions_changed
from faq.sitemaps import QuestionListSitemap

from . import views
from .page_cache import public_page
from .sitemaps import HomeSitemap, SurgeonSitemap

# The site's fixed pages first, then each condition page and each surgeon's profile.
SITEMAPS = {
    # The home page shows the featured conditions.
    "home": partial(HomeSitemap, shows=[conditions_changed]),
    "condition-list": ConditionListSitemap,
    "faq": QuestionListSitemap,
    "appointments": AppointmentRequestSitemap,
    "conditions": ConditionSitemap,
    "surgeons": SurgeonSitemap,
}

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("conditions/", include("conditions.urls")),
    path("faq/", include("faq.urls")),
    path("appointments/", include("appointments.urls")),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    # Staff's uploads (the surgeon's photo) are few and small; Django serves them, so the
    # site needs no other web server. A front proxy may serve MEDIA_ROOT itself instead.
    path("media/<path:path>", views.media, name="media"),
    path("", include("practice.site_urls")),
]

handler500 = "practice.views.server_error"

admin.site.site_header = "Practice website"
admin.site.site_title = "Practice website admin"
admin.site.index_title = "Content and appointment requests"
