"""The practice on two machines, played on this one: two nodes, each a gunicorn with one
sync worker, a Celery worker and Celery beat, as `make up` starts them on each machine,
sharing one PostgreSQL, one Redis, one SMTP server and one media folder, behind one
nginx (the front) that balances them.

PostgreSQL and Redis are servers of the stack's own, which the outage tests stop and
start again; every process runs the production settings (practice.settings, debug off).
"""

import os
import secrets
import subprocess
import sys
from contextlib import ExitStack
from datetime import UTC, datetime

from tests.support.front import Front
from tests.support.postgres import PostgresServer
from tests.support.processes import ROOT, free_port, wait_until
from tests.support.redis import RedisServer
from tests.support.smtp import smtp_server
from tests.support.tasks import FAST_OUTBOX, beat_arguments, celery, worker_arguments
from tests.support.web import Browserless, gunicorn

DATABASE = "practice"
STAFF_USERNAME = "office"
STAFF_PASSWORD = secrets.token_urlsafe(16)
# The staff login's second factor on the nodes: a backup code for each login, never reused.
STAFF_BACKUP_CODES = [secrets.token_hex(4) for _ in range(20)]
OFFICE_EMAIL = "office@practice.test"
ADMIN = "/admin/"


def midday_time_zone():
    """A fixed-offset zone in which it is between noon and one now: the practice's day, and
    what is due on it (a reminder), cannot turn over while the tests run."""
    offset = (24 - datetime.now(UTC).hour) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


class Node:
    """One of the practice's machines: gunicorn with one sync worker, a Celery worker with
    one process, and Celery beat with a schedule file of its own."""

    def __init__(self, name, *, environment, directory):
        self.name = name
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        # The database sees which node a connection comes from (pg_stat_activity).
        url = environment["DATABASE_URL"]
        self.environment = environment | {"DATABASE_URL": f"{url}?application_name={name}"}
        self.directory = directory
        self.web = self.worker = self.beat = None

    def start(self):
        self.start_web()
        log = self.directory / f"{self.name}-worker.log"
        self.worker = celery(*worker_arguments(name=self.name), env=self.environment, log_path=log)
        schedule = self.directory / f"{self.name}-beat-schedule"
        log = self.directory / f"{self.name}-beat.log"
        self.beat = celery(
            *beat_arguments(schedule_path=schedule), env=self.environment, log_path=log
        )

    def start_web(self):
        log = self.directory / f"{self.name}-gunicorn.log"
        self.web = gunicorn(port=self.port, env=self.environment, log_path=log, workers=1)

    def web_answers(self):
        return Browserless(self.url, timeout=2).answers()

    def ready(self):
        return self.web_answers() and " ready." in self.worker.log()

    def stop(self):
        # Nothing left worth finishing: a SIGKILL is quicker than a warm shutdown.
        for process in (self.beat, self.worker, self.web):
            if process is not None:
                process.kill()

    def logs(self):
        """The end of each process's log, for a failing test's message."""
        return {
            f"{self.name} {kind}": process.log()[-3000:]
            for kind, process in [("web", self.web), ("worker", self.worker), ("beat", self.beat)]
        }


class Stack:
    """Everything above, started in `directory` and stopped on leaving the `with` block."""

    def __init__(self, directory):
        self.directory = directory
        self.exits = ExitStack()

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.exits.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.exits.close()

    def start(self):
        self.postgres = PostgresServer(self.directory / "postgres.log")
        self.exits.callback(self.postgres.remove)
        self.postgres.start()
        self.redis = RedisServer(self.directory / "redis.log")
        self.exits.callback(self.redis.stop)
        self.redis.start()
        self.mailbox = self.exits.enter_context(smtp_server())
        self.front_port = free_port()
        self.environment = self.node_environment(self.postgres.create_database(DATABASE))
        self.nodes = [
            Node(name, environment=self.environment, directory=self.directory)
            for name in ("node-a", "node-b")
        ]
        self.a, self.b = self.nodes
        self.migrate()
        self.manage_python(
            "-m", "tests.nodes.prepare", STAFF_USERNAME, STAFF_PASSWORD, *STAFF_BACKUP_CODES
        )
        for node in self.nodes:
            self.exits.callback(node.stop)
            node.start()
        self.front = Front(
            upstreams=[node.address for node in self.nodes],
            directory=self.directory / "front",
            env=self.environment,
            port=self.front_port,
        )
        self.exits.callback(self.front.stop)
        self.front.start()
        for node in self.nodes:
            assert wait_until(node.ready, timeout=60), node.logs()
        self.url = self.front.url

    def node_environment(self, database_url):
        """Production settings, on plain HTTP behind the front on this machine."""
        environment = os.environ | FAST_OUTBOX
        environment.pop("SENTRY_DSN", None)
        return environment | {
            "DJANGO_SETTINGS_MODULE": "practice.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/1",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.mailbox.port}",
            "OFFICE_EMAIL": OFFICE_EMAIL,
            "DEFAULT_FROM_EMAIL": "Example Spine Practice <no-reply@practice.test>",
            "SITE_URL": f"http://127.0.0.1:{self.front_port}",
            "STATIC_ROOT": str(self.directory / "static"),
            "MEDIA_ROOT": str(self.directory / "media"),
            # The tests post far faster, and far more often, than patients do.
            "APPOINTMENT_FORM_MIN_SECONDS": "0",
            "APPOINTMENT_REQUESTS_PER_HOUR": "1000000",
            "PRACTICE_TIME_ZONE": midday_time_zone(),
            # A reminder is due from midnight on the day before, and beat looks every second.
            "APPOINTMENT_REMINDER_HOUR": "0",
            "APPOINTMENT_REMINDER_SWEEP_SECONDS": "1",
        }

    def migrate(self):
        """Both nodes run `migrate` at the same moment, as two machines started at once do
        (`make up`); each must succeed."""
        runs = [
            subprocess.Popen(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT,
                env=node.environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for node in self.nodes
        ]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs

    def manage_python(self, *arguments):
        """Run Python with node A's environment; returns what it printed."""
        return subprocess.run(
            [sys.executable, *arguments],
            cwd=ROOT,
            env=self.a.environment,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout

    def django(self, code):
        """Run `code` in a Django shell on node A, against the stack's database."""
        return self.manage_python("manage.py", "shell", "--verbosity", "0", "--command", code)

    def query(self, sql, parameters=()):
        return self.postgres.query(DATABASE, sql, parameters)

    def connect(self):
        return self.postgres.connect(DATABASE)

    def logs(self):
        logs = {}
        for node in self.nodes:
            logs |= node.logs()
        return logs
