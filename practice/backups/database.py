"""The database's half of a backup: PostgreSQL's own pg_dump and pg_restore.

pg_dump runs in a snapshot that this module exports, so the manifest's row counts are
exactly those of the dump, however busy the site is while it runs.
"""

import os
import subprocess
from contextlib import closing, contextmanager
from dataclasses import dataclass

import psycopg2
from django.apps import apps
from django.template.defaultfilters import pluralize
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ, make_dsn

from . import BackupError

# The libpq options that name the database; the password goes in the environment, where
# other users' `ps` cannot read it.
CONNECTION_KEYS = {"dbname", "user", "host", "port", "sslmode", "sslrootcert", "sslcert", "sslkey"}
TABLES = """
    SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def require_postgresql(connection):
    if connection.vendor != "postgresql":
        raise BackupError(
            f"Backups need PostgreSQL, and DATABASE_URL names a {connection.display_name} "
            "database. Set DATABASE_URL to the practice's PostgreSQL database."
        )


@dataclass(frozen=True)
class Snapshot:
    id: str
    row_counts: dict
    migrations: list


@contextmanager
def exported_snapshot(connection, *, without_rows=()):
    """A read-only view of the database, counted, that pg_dump can share until the end.
    The tables in `without_rows` (schema.table) count as empty, as the dump keeps them."""
    parameters = connection.get_connection_params()
    with closing(psycopg2.connect(**parameters)) as snapshot_connection:
        snapshot_connection.set_session(
            isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True
        )
        with snapshot_connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = _row_counts(cursor)
            counts |= {table: 0 for table in without_rows if table in counts}
            migrations = []
            if "public.django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
                migrations = [list(row) for row in cursor.fetchall()]
            yield Snapshot(id=snapshot_id, row_counts=counts, migrations=migrations)
        snapshot_connection.rollback()


def dump(connection, *, snapshot, path, without_rows=()):
    command = ["pg_dump", "--format=custom", f"--snapshot={snapshot.id}", f"--file={path}"]
    _run(connection, command + [f"--exclude-table-data={table}" for table in without_rows])


def check_dump(path):
    """pg_restore reads the dump's whole table of contents, or says what is wrong."""
    _run(None, ["pg_restore", "--list", str(path)])


def require_empty(connection):
    with connection.cursor() as cursor:
        cursor.execute(TABLES)
        tables = [name for (name,) in cursor.fetchall()]
    if not tables:
        return
    held = f"{len(tables)} tables"
    try:
        requests = apps.get_model("appointments", "AppointmentRequest")._meta.db_table
    except LookupError:
        requests = None
    if f"public.{requests}" in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(requests)}")
            if count := cursor.fetchone()[0]:
                held = f"{count} appointment request{pluralize(count)}, in {held}"
    raise BackupError(
        f"The database “{connection.settings_dict['NAME']}” is not empty: it holds {held}. "
        "A restore writes only into a new, empty database, so that nothing is ever "
        "overwritten: create one (createdb), name it in DATABASE_URL, and restore again."
    )


def restore(connection, path):
    """All or nothing: one transaction, stopped by the first error."""
    _run(
        connection,
        [
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            # The new database's own user owns what is restored.
            "--no-owner",
            "--no-privileges",
            str(path),
        ],
    )


def row_counts(connection):
    with connection.cursor() as cursor:
        return _row_counts(cursor)


def _row_counts(cursor):
    cursor.execute(TABLES)
    tables = [name for (name,) in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {table}")  # names quoted by quote_ident
        counts[table] = cursor.fetchone()[0]
    return counts


def _run(connection, command):
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    if connection is not None:
        parameters = connection.get_connection_params()
        options = {key: value for key, value in parameters.items() if key in CONNECTION_KEYS}
        command = [*command, f"--dbname={make_dsn(**options)}"]
        if parameters.get("password"):
            environment["PGPASSWORD"] = str(parameters["password"])
    try:
        subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools "
            "(Debian: postgresql-client, of the server's version)."
        ) from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from None
