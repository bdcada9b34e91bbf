"""Two machines started at once both run `migrate` (`make up`): PostgreSQL's advisory lock
(practice/management/commands/migrate.py) makes one wait for the other, which then finds
nothing left to do, instead of both creating the same tables."""

import subprocess
import sys
import uuid
from collections import Counter
from contextlib import closing

import pytest
from django.db.migrations.loader import MigrationLoader

from practice.management.commands.migrate import LOCK_ID
from tests.support.processes import ROOT, wait_until

pytestmark = pytest.mark.integration


def waiting_for_the_lock(stack, database):
    return stack.postgres.query(
        database,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        " AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
        [database],
    )[0][0]


def tables(stack, database):
    return stack.postgres.query(
        database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )


def test_two_nodes_starting_at_once_migrate_one_after_the_other(stack, tmp_path):
    database = f"migrate_{uuid.uuid4().hex[:8]}"
    # A new site of its own: its database, and its media folder, where migrate writes the
    # page for a database outage.
    environment = stack.a.environment | {
        "DATABASE_URL": stack.postgres.create_database(database),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    try:
        with closing(stack.postgres.connect(database)) as holder, holder.cursor() as lock:
            # The test holds the lock, as a node already migrating would.
            lock.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
            nodes = [
                subprocess.Popen(
                    [sys.executable, "manage.py", "migrate", "--noinput"],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                for _ in range(2)
            ]
            # Both wait for it, and neither has made a table meanwhile.
            assert wait_until(lambda: waiting_for_the_lock(stack, database) == 2, 60)
            assert tables(stack, database) == []
            lock.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
        outputs = [node.communicate(timeout=120)[0] for node in nodes]

        assert [node.returncode for node in nodes] == [0, 0], outputs
        # One applied every migration; the other, after it, found none left.
        applied, after = sorted(outputs, key=lambda output: "No migrations to apply" in output)
        assert "Applying " in applied
        assert "No migrations to apply." in after
        assert "Applying " not in after
        recorded = stack.postgres.query(database, "SELECT app, name FROM django_migrations")
        assert Counter(recorded) == dict.fromkeys(MigrationLoader(None).disk_migrations, 1)
    finally:
        stack.postgres.query("postgres", f'DROP DATABASE "{database}" WITH (FORCE)')
