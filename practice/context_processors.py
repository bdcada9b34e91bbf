from .models import Practice


def practice(request):
    """The practice's details, for the header, the footer and every page's contact line."""
    return {"practice": Practice.get_solo()}
