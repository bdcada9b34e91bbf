"""Backups that restore: an encrypted archive of the database and MEDIA_ROOT.

`archive` is the file (age encryption around a tar of a manifest, a pg_dump and the
media), `database` the PostgreSQL tools, `services` what the commands, the nightly task
and the admin call.
"""


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why and what to do."""
