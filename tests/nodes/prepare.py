"""What the two-node stack's nodes share, made once after `migrate` and before they start:
the static files, the demo content and a member of staff.

The static files are collected as production collects them (the same hashed names and
manifest), without the gzip and Brotli copies, which take half a minute to make and which
no test here reads. Run with the nodes' environment:
`python -m tests.nodes.prepare USERNAME PASSWORD`.
"""

import sys

import django
from django.conf import settings


def main(username, password):
    django.setup()
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    }
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo_content", verbosity=0)
    get_user_model().objects.create_superuser(username, f"{username}@practice.test", password)


if __name__ == "__main__":
    main(*sys.argv[1:])
