"""Reset a login's authenticator app from the server: the way back in for the last
superuser, whom nobody else in the admin can reset."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practice import audit
from practice.two_factor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and backup codes: they set up a new app at "
        "their next login."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user name they log in with.")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user is named {username!r}.") from error
        apps, backup_codes = two_factor_reset(user=user)
        audit.record(audit.Action.TWO_FACTOR_RESET, details={"user": username, "by": "command"})
        if not apps and not backup_codes:
            self.stdout.write(f"{username} had no authenticator app set up: nothing to reset.")
            return
        self.stdout.write(
            f"Removed {username}'s authenticator app and {backup_codes} unused backup "
            f"code{'s' if backup_codes != 1 else ''}. At their next login they set up a new app."
        )
