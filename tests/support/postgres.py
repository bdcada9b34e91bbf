"""A PostgreSQL server of a test's own: a cluster made with initdb on a loopback port, that
the test can stop and start again (the shared database's outage), never the machine's."""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import psycopg2

from .processes import ChildProcess, free_port, wait_until

# Speed over durability: the cluster lives as long as the tests.
FAST = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def postgres_binaries():
    """The folder of initdb and postgres: Debian's newest version, else the PATH's."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresServer:
    """A cluster in a folder of its own under the system's temporary folder (the postgres
    user must reach it, and pytest's folders are root's alone), served on `port`.

    initdb and postgres refuse to run as root: as root, they run as the postgres user.
    """

    def __init__(self, log_path):
        self.binaries = postgres_binaries()
        self.port = free_port()
        self.log_path = Path(log_path)
        self.directory = Path(tempfile.mkdtemp(prefix="practice-postgres-"))
        self.data = self.directory / "data"
        self.process = None
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.user:
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        initdb = [self.binaries / "initdb", "--pgdata", self.data, "--username", "postgres"]
        self._as_owner([*initdb, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        settings = FAST | {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.directory),
        }
        command = [self.binaries / "postgres", "-D", self.data]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        self.process = ChildProcess(self._owner_command(command), log_path=self.log_path)
        assert wait_until(self.answers, timeout=30), self.process.log()
        return self

    def stop(self):
        """A fast shutdown, as `pg_ctl stop -m fast` does: clients are disconnected, their
        transactions rolled back."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def connect(self, database="postgres"):
        """A connection of the test's own, in autocommit: each statement commits at once."""
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, connect_timeout=2
        )
        connection.autocommit = True
        return connection

    def query(self, database, sql, parameters=()):
        """The rows `sql` returns, on a connection opened for it alone."""
        with closing(self.connect(database)) as connection, connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall() if cursor.description else []

    def create_database(self, name):
        self.query("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def answers(self):
        try:
            self.query("postgres", "SELECT 1")
        except psycopg2.OperationalError:
            return False
        return True

    def _owner_command(self, command):
        if self.user is None:
            return command
        # setpriv, unlike runuser, starts no process of its own: the server is our child.
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *command]

    def _as_owner(self, command):
        subprocess.run(
            [str(part) for part in self._owner_command(command)],
            cwd=self.directory,
            check=True,
            capture_output=True,
            timeout=120,
        )
