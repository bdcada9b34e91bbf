from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from . import views
from .page_cache import public_page
from .sitemaps import SITEMAPS

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("conditions/", include("conditions.urls")),
    path("faq/", include("faq.urls")),
    path("appointments/", include("appointments.urls")),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    # Staff's uploads (the surgeon's photo) are few and small; Django serves them, so the
    # site needs no other web server. A front proxy may serve MEDIA_ROOT itself instead.
    re_path(r"^media/(?P<path>.+)$", views.media, name="media"),
    path("", include("practice.site_urls")),
]

handler500 = "practice.views.server_error"

admin.site.site_header = "Practice website"
admin.site.site_title = "Practice website admin"
admin.site.index_title = "Content and appointment requests"
