"""What the two-node stack's nodes share, made once after `migrate` and before they start:
the static files, the demo content and a member of staff, with backup codes to log in with.

The static files are collected as production collects them (the same hashed names and
manifest), without the gzip and Brotli copies, which take half a minute to make and which
no test here reads. Run with the nodes' environment:
`python -m tests.nodes.prepare USERNAME PASSWORD BACKUP_CODE...`.
"""

import sys

import django
from django.conf import settings


def main(username, password, *backup_codes):
    django.setup()
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    }
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo_content", verbosity=0)
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_superuser(
        username, f"{username}@practice.test", password
    )
    # An app set up (its codes unknown to the tests), and the backup codes they log in with.
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    device = StaticDevice.objects.create(user=user, name="Backup codes")
    for code in backup_codes:
        device.token_set.create(token=code)


if __name__ == "__main__":
    main(*sys.argv[1:])
