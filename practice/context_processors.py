from django.conf import settings

from .selectors import practice_details


def practice(request):
    """The practice's details for the header and footer, and the page's canonical address."""
    details, locations = practice_details(request)
    return {
        "practice": details,
        "locations": locations,
        "site_url": settings.SITE_URL,
        "canonical_url": f"{settings.SITE_URL}{request.path}",
    }
