"""The page patients see while the database cannot be reached.

It is written to a file in the shared media folder whenever the practice's details are
saved (and after every `migrate`), so that it needs no database: the site answers with it
when a query fails for want of the database, and the front (nginx) when no web process
answers at all. It stands alone, with the practice's name and phone number.
"""

import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def page_path():
    return Path(settings.MEDIA_ROOT) / "errors" / "503.html"


def render_page(practice):
    return render_to_string("503.html", {"practice": practice})


def write_page(**kwargs):
    """Write the page with the practice's details as they are now stored."""
    from .models import Practice

    try:
        content = render_page(Practice.objects.first())
        path = page_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Whole or not at all: the front may read it at any moment.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as file:
            file.write(content)
        Path(file.name).chmod(0o644)
        os.replace(file.name, path)
    except Exception:
        logger.exception("The page for when the site is unavailable could not be written.")


def practice_saved(**kwargs):
    transaction.on_commit(write_page)


def page_content():
    """The page as last written, or one without the practice's details."""
    try:
        return page_path().read_text()
    except OSError:
        return render_page(None)
