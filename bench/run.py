"""`make bench`: start the real stack on this machine, drive it with wrk, print the figures.

The front (nginx, with the project's own configuration), gunicorn (2 workers) behind it
and one Celery worker run as child processes against the PostgreSQL and Redis that
DATABASE_URL, CELERY_BROKER_URL and REDIS_URL name (by default a `practice_bench` database
and Redis databases 2 and 3 on 127.0.0.1); the SMTP server (aiosmtpd) runs in this
process. Each case goes through the front, or straight to a gunicorn, or to a second nginx
that serves the front's own answer for the condition page from a file (bench/file_server.py):
the yardstick for the front's cache. The processes, the mailbox and the form's answers are
the tests' own (tests/support/), so that the benchmark measures what the tests check. The
figures go to var/bench/results-<time>.json and .md. It measures and changes nothing;
nothing in CI runs it. It needs wrk and nginx (Debian's packages) and says so when one is
missing.
Tuned by the environment: BENCH_DURATION (10s, in seconds), BENCH_THREADS (2),
BENCH_CONNECTIONS (32), BENCH_WORKER_CONCURRENCY (1); BENCH_PROFILE=1 also samples a
gunicorn worker in each case with py-spy and writes var/bench/profile-<case>.txt
(bench/sampler.py).
"""

import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sampler

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, from bench/: the project's packages are found from the root.
sys.path.insert(0, str(ROOT))

from file_server import file_server  # noqa: E402

from tests.support.front import NGINX, Front  # noqa: E402
from tests.support.processes import free_port, wait_until  # noqa: E402
from tests.support.smtp import Mailbox, smtp_server  # noqa: E402
from tests.support.tasks import celery, worker_arguments  # noqa: E402
from tests.support.web import gunicorn  # noqa: E402

OUT = ROOT / "var" / "bench"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
DURATION = os.environ.get("BENCH_DURATION", "10s")
THREADS = os.environ.get("BENCH_THREADS", "2")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
WORKER_CONCURRENCY = os.environ.get("BENCH_WORKER_CONCURRENCY", "1")
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
POST_BODIES = 20_000  # per POST case: more than two cores can take in one run
NOTIFICATIONS = 500
SLOW_MAIL_SECONDS = 2
PUBLISHES = 20
# The case for finding open times: 60 days, 2 locations, 3 surgeons, 500 booked.
OPEN_TIMES_DAYS, OPEN_TIMES_BOOKED, OPEN_TIMES_RUNS = 60, 500, 20


class Stack:
    """The child processes (tests/support/processes.py); stop() ends them all."""

    def __init__(self):
        self.processes = []

    def add(self, name, process):
        self.processes.append((name, process))
        return process

    def check(self):
        for name, process in self.processes:
            if not process.running():
                sys.exit(f"{name} stopped; see {process.log_path}")

    def stop(self):
        for _, process in reversed(self.processes):
            process.stop(timeout=15)


def wait_for(condition, timeout, stack, interval=0.1):
    """wait_until, stopping the benchmark as soon as a process of the stack has died."""
    return wait_until(lambda: stack.check() or condition(), timeout, interval)


def environment(smtp_port, front_port):
    """What the stack reads: production settings on plain HTTP behind the front, limits off
    for the load."""
    return {
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/practice_bench"
        ),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # One key for every run: the benchmark's database, and the requests in it, are kept.
        "FIELD_ENCRYPTION_KEYS": os.environ.get(
            "FIELD_ENCRYPTION_KEYS", "YmVuY2htYXJrLW9ubHktbm90LWZvci1wYXRpZW50cyE="
        ),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "TRUSTED_PROXIES": "127.0.0.1",
        "STATIC_ROOT": str(OUT / "static"),
        "MEDIA_ROOT": str(OUT / "media"),
        "APPOINTMENT_REQUESTS_PER_HOUR": "100000000",
        "APPOINTMENT_FORM_MIN_SECONDS": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": f"http://127.0.0.1:{front_port}",
    }


def create_database(url):
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    connection.close()


def request(port, method, path, body=None, headers=None, *, raw=False):
    """The status, headers and body (text, or bytes with `raw`) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response.headers, content if raw else content.decode()
    except OSError:
        return None, None, b"" if raw else ""
    finally:
        connection.close()


def wrk_command(port, path, duration=DURATION):
    return [
        *("wrk", "--threads", THREADS, "--connections", CONNECTIONS, "--duration", duration),
        # Slow requests are measured, not counted as errors at wrk's default 2 s.
        *("--timeout", "30s", "--script", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{path}"),
    ]


def wrk_environment(mode, **extra):
    return {**os.environ, "BENCH_MODE": mode, "BENCH_THREADS": THREADS, **extra}


def wrk(port, path, mode="get", profile_of=None, **extra):
    """Run wrk for one case; the figures from the script's last line.

    With `profile_of` (a case's name and its gunicorn master's pid), one worker is
    sampled by py-spy while wrk runs (see bench/sampler.py).
    """
    command = wrk_command(port, path)
    running = subprocess.Popen(
        command, env=wrk_environment(mode, **extra), stdout=subprocess.PIPE, text=True
    )
    try:
        if profile_of is not None:
            time.sleep(1)  # past wrk's first connections
            sampler.profile(*profile_of, seconds=max(1, seconds_of(DURATION) - 2), out=OUT)
        output = running.communicate()[0]
    finally:
        if running.poll() is None:
            running.kill()
    if running.returncode:
        sys.exit(f"wrk failed (exit {running.returncode}).")
    figures = json.loads(output.rpartition("BENCH ")[2])
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "requests_per_second": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "errors": figures["socket_errors"] + figures["status_errors"],
        "status_errors": figures["status_errors"],  # answers other than 2xx and 3xx
        "socket_errors": figures["socket_errors"],  # connect, read, write, timeout
    }


@contextmanager
def load(port, path):
    """wrk on `path`, with the cases' threads and connections, while the block runs."""
    command = wrk_command(port, path, duration="1h")
    running = subprocess.Popen(command, env=wrk_environment("get"), stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        running.kill()
        running.wait()


def cache_statuses(log, path):
    """How the front answered the requests for `path` in its access log: a count of each
    cache status (HIT, EXPIRED, MISS...; "-" where it did not look, as for a POST). Only
    `path`'s lines: nginx writes its log a second late, so the last case's may be there."""
    statuses = Counter()
    request = f' {urlsplit(path).path}" '.encode()
    with open(log, "rb") as lines:
        for line in lines:
            if request in line:
                statuses[line.partition(b" cache=")[2].partition(b" ")[0].decode()] += 1
    return dict(statuses)


def seconds_of(duration):
    """A duration as wrk reads it (10, 10s, 2m, 1h), in seconds."""
    match = re.fullmatch(r"(\d+)([smh]?)", duration)
    if match is None:
        sys.exit(f"BENCH_DURATION={duration}: give seconds, minutes or hours, as 10s or 2m.")
    return int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def profile_of(name, server):
    return (name, server.pid) if PROFILE else None


def post_bodies(port, path, count, condition):
    """`count` valid form bodies, each with a submission key and stamp of its own, and the
    CSRF cookie they were made with (one token from the real form page serves them all)."""
    from tests.support.forms import appointment_answers, fresh_submission

    _, headers, page = request(port, "GET", path)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    # The tests' valid answers, for a patient who has had no operation and names no doctor.
    answers = {
        name: value
        for name, value in appointment_answers(condition.slug).items()
        if not name.startswith("surgery_") and name != "referring_doctor"
    }
    answers |= {
        "csrfmiddlewaretoken": token,
        "full_name": "Bench Patient",
        "email": "bench@patient.test",
        "had_spine_surgery": "no",
    }
    bodies = [
        urlencode(answers | fresh_submission(seconds_ago=60), doseq=True) for _ in range(count)
    ]
    return f"csrftoken={cookie}", bodies


def time_notifications(mailbox, stack):
    """Seconds from queueing NOTIFICATIONS outbox rows to the SMTP server holding them all."""
    from django.utils import timezone

    from appointments.models import AppointmentRequest, Notification
    from appointments.services import notification_queue

    now = timezone.now()
    requests = AppointmentRequest.objects.bulk_create(
        AppointmentRequest(
            full_name="Bench Patient",
            email=f"bench{n}@patient.test",
            phone="+12015550199",
            preferred_date=now.date() + timedelta(days=7),
            had_spine_surgery=False,
            consent_wording="Bench",
            consented_at=now,
        )
        for n in range(NOTIFICATIONS)
    )
    rows = Notification.objects.bulk_create(
        Notification(
            appointment_request=appointment_request,
            kind=Notification.Kind.ACKNOWLEDGMENT,
            recipients=appointment_request.email,
        )
        for appointment_request in requests
    )
    before = mailbox.count
    started = time.monotonic()
    notification_queue(notification_ids=[row.pk for row in rows])
    if not wait_for(lambda: mailbox.count - before >= NOTIFICATIONS, 300, stack):
        return None
    return round(time.monotonic() - started, 1)


def healthy(port):
    return request(port, "GET", "/healthz")[0] == 200


def shows(port, path, text):
    return text in request(port, "GET", path)[2]


def time_publish(port, condition, stack):
    """Seconds from a save of `condition` (through the ORM, as the admin saves it) being
    committed to the front serving the changed page, PUBLISHES times, each at a random
    moment of a clock second; None if a change did not show within 10 s."""
    path = condition.get_absolute_url()
    original = condition.summary
    delays = []
    try:
        for n in range(PUBLISHES):
            time.sleep(random.random())
            marker = f"Change {n}, {secrets.token_hex(4)}."
            condition.summary = f"{marker} {original}"[:600]
            condition.save()
            started = time.monotonic()
            if not wait_for(partial(shows, port, path, marker), 10, stack, interval=0.01):
                return None
            delays.append(time.monotonic() - started)
    finally:
        condition.summary = original
        condition.save()
    return delays


class RolledBack(Exception):
    pass


def time_open_times():
    """Server time and queries of finding OPEN_TIMES_DAYS days of open times, uncached, in
    this process, across 2 locations and 3 surgeons (each with a clinic every weekday, 8:00
    to 17:00) with OPEN_TIMES_BOOKED appointments booked: the median and the slowest of
    OPEN_TIMES_RUNS, the times alone and with the JSON answer made of them. Made in a
    transaction rolled back at the end, so the demo content is left as it was."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from appointments.open_times_json import open_times_body
    from appointments.services import open_times_find
    from tests.factories import VisitTypeFactory
    from tests.support.schedule import busy_diaries

    def timed(find):
        """The wall-clock time, and this process's CPU time, which other work on a busy
        machine does not lengthen (but the database's share is not in it)."""
        seconds, cpu_seconds = [], []
        for _ in range(OPEN_TIMES_RUNS):
            started, cpu_started = time.perf_counter(), time.process_time()
            result = find()
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - cpu_started)
        return result, {
            "fastest_ms": round(min(seconds) * 1000, 1),
            "median_ms": round(statistics.median(seconds) * 1000, 1),
            "max_ms": round(max(seconds) * 1000, 1),
            "cpu_median_ms": round(statistics.median(cpu_seconds) * 1000, 1),
        }

    figures = {}
    try:
        with transaction.atomic():
            visit_type = VisitTypeFactory(slug="bench-open-times")
            busy_diaries(visit_type, first_day=timezone.localdate(), booked=OPEN_TIMES_BOOKED)
            today = timezone.localdate()
            with CaptureQueriesContext(connection) as queries:
                found = open_times_find(
                    visit_type=visit_type, first_day=today, days=OPEN_TIMES_DAYS
                )
            figures["queries"] = len(queries)
            figures["open_times"] = len(found)
            _, figures["find"] = timed(
                lambda: open_times_find(
                    visit_type=visit_type, first_day=today, days=OPEN_TIMES_DAYS
                )
            )
            with CaptureQueriesContext(connection) as queries:
                open_times_body(visit_type.slug, None, today, OPEN_TIMES_DAYS)
            figures["json_queries"] = len(queries)
            _, figures["json"] = timed(
                lambda: open_times_body(visit_type.slug, None, today, OPEN_TIMES_DAYS)
            )
            raise RolledBack
    except RolledBack:
        pass
    return figures


def machine():
    model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    return (
        f"{os.cpu_count()} cores ({model[1] if model else platform.machine()}), "
        f"{int(memory[1]) // 1024**2} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def load_average():
    return ", ".join(f"{minutes:.2f}" for minutes in os.getloadavg())


# Where each case's requests go: the front (nginx, its cache, then gunicorn), a gunicorn
# reached directly, or the second nginx that serves the saved page as a file.
ROUTES = {
    "front": "front",
    "gunicorn": "gunicorn",
    "cold": "gunicorn, caches off",
    "file": "nginx, file",
}
WARM, FILE, RANDOM, BROWSER, DJANGO, COLD = (
    "Condition page, warm",
    "Condition page, the same HTML from a file",
    "Condition page, random query string",
    "Condition page, warm, compressed as browsers ask",
    "Condition page, warm, Django's page cache",
    "Condition page, cold (rendered each time)",
)
OPEN_TIMES_CASES = [
    ("Open times JSON, 60 days, warm", "front"),
    ("Open times JSON, 60 days, warm, Django's cache", "gunicorn"),
    ("Open times JSON, 60 days, cold (found each time)", "cold"),
]
POST_CASES = ["Form POST, mail at once", f"Form POST, mail held {SLOW_MAIL_SECONDS} s"]
# The form, as a patient first sees it and with a visit type's open times, through the front
# (which passes it on: it is never kept) and straight from gunicorn, to set beside the warm
# condition page from gunicorn.
FORM_CASES = [
    ("Form GET", "front", ""),
    ("Form GET, from gunicorn", "gunicorn", ""),
    ("Form GET with open times", "front", "?visit_type=follow-up"),
    ("Form GET with open times, from gunicorn", "gunicorn", "?visit_type=follow-up"),
]


def cache_shares(case):
    """The shares of a case's requests that the front answered from its cache (HIT), and
    that went on to the site (any other status: the page's second was over, it was never
    kept, or it is a POST)."""
    statuses = case.get("cache")
    if statuses is None:
        return "–"
    total = max(1, sum(statuses.values()))
    hits = 100 * statuses.get("HIT", 0) / total
    return f"{hits:.1f}% / {100 - hits:.1f}%"


def table(results):
    cases = results["cases"]
    lines = [
        f"Machine: {results['machine']}; load average (1, 5, 15 min) {results['load']} "
        f"before the run, {results['load_after']} after. wrk: {THREADS} threads, "
        f"{CONNECTIONS} connections, {DURATION} per case, no Accept-Encoding but where a "
        "case says (so nothing else is compressed); nginx with a worker a core; gunicorn "
        "2 sync workers; Celery worker "
        f"concurrency {WORKER_CONCURRENCY}."
        + (" One gunicorn worker sampled by py-spy, which slows it a little." if PROFILE else ""),
        "",
        "| Case | Served by | Requests/s | p50 (ms) | p99 (ms) | Errors (non-2xx/3xx + socket) "
        "| Front's cache: HIT / to the site |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, case in cases.items():
        lines.append(
            f"| {name} | {ROUTES[case['route']]} | {case['requests_per_second']:,} | "
            f"{case['p50_ms']} | {case['p99_ms']} | {case['errors']} | {cache_shares(case)} |"
        )

    def ratio(a, b):
        return cases[a]["requests_per_second"] / cases[b]["requests_per_second"]

    seconds = results["notifications_seconds"]
    published = results["publish_seconds"]
    instant, slow = (cases[name]["p99_ms"] for name in POST_CASES)
    lines += [
        "",
        f"- Warm condition page through the front / the same bytes from a file: "
        f"{ratio(WARM, FILE):.2f} (target: at least 0.5).",
        f"- Random query string / warm, both through the front: {ratio(RANDOM, WARM):.2f} "
        "(target: 1 within 20%).",
        f"- Warm, asking for gzip or Brotli as browsers do / warm, uncompressed: "
        f"{ratio(BROWSER, WARM):.2f}; / the uncompressed file: {ratio(BROWSER, FILE):.2f} "
        "(the front compresses each answer afresh).",
        f"- Warm condition page from gunicorn (Django's page cache in Redis) / the file: "
        f"{ratio(DJANGO, FILE):.2f}; through the front / from gunicorn: "
        f"{ratio(WARM, DJANGO):.1f}×.",
        "- Publish to visible, from a save's commit to the front serving the change, under "
        "the warm page's load: "
        + (
            f"median {statistics.median(published):.2f} s, max {max(published):.2f} s over "
            f"{PUBLISHES} saves at random moments (target: under 1 s)."
            if published is not None
            else "a change did not show within 10 s."
        ),
        f"- {NOTIFICATIONS} queued notifications reach the SMTP server in "
        f"{f'{seconds} s' if seconds is not None else 'more than 300 s'}.",
        f"- Form POST p99 with mail held {SLOW_MAIL_SECONDS} s / mail answered at once: "
        f"{slow} / {instant} ms = {slow / instant:.2f}.",
        f"- Appointment requests saved during the POST cases: {results['saved']} (wrk counts "
        "only the answers that arrived within the run).",
        form_line(results),
        open_times_line(results),
        "- Cold condition page: a second gunicorn with PAGE_CACHE_SECONDS=0 and "
        "FRONT_CACHE_SECONDS=0, reached directly, renders every request; what every page "
        "shares (the practice's details) is cached after the first request.",
    ]
    return "\n".join(lines)


def form_line(results):
    cases, warm = results["cases"], results["cases"][DJANGO]["requests_per_second"]
    ratios = "; ".join(
        f"{name}: {cases[name]['requests_per_second'] / warm:.3f}"
        for name, route, _ in FORM_CASES
        if route == "gunicorn"
    )
    return (
        "- Each form case from gunicorn / the warm condition page from gunicorn (Django's "
        f"page cache): {ratios} (target: at least 0.1)."
    )


def open_times_line(results):
    figures, cases = results["open_times"], results["cases"]
    rates = " / ".join(
        f"{cases[name]['requests_per_second']:,} req/s ({cases[name]['p50_ms']} ms p50)"
        for name, _ in OPEN_TIMES_CASES
    )
    return (
        "- Open times JSON, the demo's follow-up visits for 60 days: warm through the front / "
        f"from gunicorn (Django's cache) / found each time: {rates}. Finding "
        f"{OPEN_TIMES_DAYS} days across 2 locations and 3 surgeons with "
        f"{OPEN_TIMES_BOOKED} booked, uncached, in process ({figures['open_times']} open "
        f"times): fastest {figures['find']['fastest_ms']} ms, median "
        f"{figures['find']['median_ms']} ms (CPU "
        f"{figures['find']['cpu_median_ms']} ms), slowest {figures['find']['max_ms']} ms of "
        f"{OPEN_TIMES_RUNS}, {figures['queries']} queries; with the JSON answer, fastest "
        f"{figures['json']['fastest_ms']} ms, median "
        f"{figures['json']['median_ms']} ms (CPU {figures['json']['cpu_median_ms']} ms), "
        f"slowest {figures['json']['max_ms']} ms, {figures['json_queries']} queries "
        "(targets: under 50 ms, under 20 queries)."
    )


def main():
    if shutil.which("wrk") is None:
        sys.exit("make bench drives the site with wrk, which is not installed: apt-get install wrk")
    if not Path(NGINX).exists():
        sys.exit("make bench runs the front, nginx, which is not installed: apt-get install nginx")
    # So that `finally` stops the stack: on SIGTERM, and on Ctrl-C even when started in the
    # background (which leaves SIGINT ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with smtp_server(Mailbox(keep=False)) as mailbox:
        run(mailbox)


def run(mailbox):
    ports = {route: free_port() for route in ROUTES}
    os.environ.update(environment(mailbox.port, ports["front"]))
    create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from appointments.models import AppointmentRequest
    from conditions.models import Condition
    from practice import celery_app

    results = {"machine": machine(), "load": load_average(), "cases": {}}
    print("Migrating, collecting static files, loading the demo content…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo_content", verbosity=0)

    OUT.mkdir(parents=True, exist_ok=True)
    for log in ["gunicorn.log", "gunicorn-cold.log", "celery.log"]:
        (OUT / log).unlink(missing_ok=True)
    for directory in ["front", "file"]:
        shutil.rmtree(OUT / directory, ignore_errors=True)
    stack = Stack()
    try:
        web = stack.add(
            "gunicorn",
            gunicorn(port=ports["gunicorn"], env=os.environ, log_path=OUT / "gunicorn.log"),
        )
        caches_off = os.environ | {"PAGE_CACHE_SECONDS": "0", "FRONT_CACHE_SECONDS": "0"}
        cold = stack.add(
            "gunicorn with the caches off",
            gunicorn(port=ports["cold"], env=caches_off, log_path=OUT / "gunicorn-cold.log"),
        )
        arguments = worker_arguments(name="bench", concurrency=WORKER_CONCURRENCY)
        stack.add("celery", celery(*arguments, env=os.environ, log_path=OUT / "celery.log"))
        front = Front(
            upstreams=[f"127.0.0.1:{ports['gunicorn']}"],
            directory=OUT / "front",
            env=dict(os.environ),
            port=ports["front"],
        )
        stack.add("nginx (the front)", front.start().process)
        celery_app.control.purge()  # nothing left over from an earlier run
        for route in ["front", "cold"]:
            if not wait_for(partial(healthy, ports[route]), 60, stack):
                sys.exit(f"gunicorn did not answer ({route}); see {OUT}/gunicorn*.log")
        if not wait_for(lambda: celery_app.control.ping(timeout=0.5), 60, stack):
            sys.exit(f"the Celery worker did not answer; see {OUT / 'celery.log'}")

        print(f"Timing {NOTIFICATIONS} notifications…", flush=True)
        results["notifications_seconds"] = time_notifications(mailbox, stack)

        condition = Condition.objects.published().first()
        page = condition.get_absolute_url()
        status, headers, content = request(ports["front"], "GET", page, raw=True)
        if status != 200 or headers["Content-Encoding"]:
            sys.exit(f"The front answered the condition page {status}, {headers}.")
        stack.add(
            "nginx serving a file",
            file_server(content=content, directory=OUT / "file", port=ports["file"]),
        )
        if not wait_for(lambda: request(ports["file"], "GET", "/page.html")[0] == 200, 10, stack):
            sys.exit(f"nginx did not serve the saved page; see {OUT / 'file' / 'nginx.log'}")

        form = reverse("appointments:request")
        # The demo's visit type seen at both locations, as far ahead as one look reaches.
        open_times = reverse("appointments:open_times_json") + "?visit_type=follow-up&days=60"
        status, _, _ = request(ports["front"], "GET", open_times)
        if status != 200:
            sys.exit(f"The front answered {open_times} {status}.")
        if not shows(ports["front"], form + "?visit_type=follow-up", 'name="start"'):
            sys.exit("The form shows no open times for the demo's follow-up visits.")
        pages = [
            ("Home", "front", reverse("practice:home"), "get"),
            (WARM, "front", page, "get"),
            (FILE, "file", "/page.html", "get"),
            (RANDOM, "front", page, "random"),
            (BROWSER, "front", page, "browser"),
            (DJANGO, "gunicorn", page, "get"),
            (COLD, "cold", page, "get"),
            ("FAQ", "front", reverse("faq:list"), "get"),
            *((name, route, form + query, "get") for name, route, query in FORM_CASES),
            *((name, route, open_times, "get") for name, route in OPEN_TIMES_CASES),
        ]
        servers = {"front": web, "gunicorn": web, "cold": cold}
        front_log = front.directory / "access.log"
        for name, route, path, mode in pages:
            print(f"{name}…", flush=True)
            request(ports[route], "GET", path)  # one request to warm what it caches
            os.truncate(front_log, 0)  # nginx appends: the log holds this case's requests
            profiled = profile_of(name, servers[route]) if route in servers else None
            results["cases"][name] = {"route": route} | wrk(ports[route], path, mode, profiled)
            if route == "front":
                results["cases"][name]["cache"] = cache_statuses(front_log, path)

        print("Timing the open times in process…", flush=True)
        results["open_times"] = time_open_times()

        print("Publish to visible…", flush=True)
        with load(ports["front"], page):
            results["publish_seconds"] = time_publish(ports["front"], condition, stack)

        cookie, bodies = post_bodies(ports["front"], form, 2 * POST_BODIES + 1, condition)
        status, _, _ = request(ports["front"], "POST", form, bodies.pop(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
        })  # fmt: skip
        if status != 302:
            sys.exit(f"A valid form POST was answered {status}, not a redirect to thanks.")
        saved_before = AppointmentRequest.objects.count()
        pools = [bodies[:POST_BODIES], bodies[POST_BODIES:]]
        for name, hold, pool in zip(POST_CASES, [0, SLOW_MAIL_SECONDS], pools, strict=True):
            print(f"{name}…", flush=True)
            celery_app.control.purge()  # the last case's emails do not load this one
            mailbox.hold = hold
            bodies_file = OUT / "post-bodies.txt"
            bodies_file.write_text("\n".join(pool) + "\n")
            os.truncate(front_log, 0)
            results["cases"][name] = {"route": "front"} | wrk(
                ports["front"],
                form,
                "post",
                profile_of(name, web),
                BENCH_BODIES=str(bodies_file),
                BENCH_COOKIE=cookie,
            )
            results["cases"][name]["cache"] = cache_statuses(front_log, form)
        results["saved"] = AppointmentRequest.objects.count() - saved_before
        celery_app.control.purge()
    finally:
        stack.stop()
    results["load_after"] = load_average()

    stamp = datetime.now().astimezone().strftime("%Y-%m-%d-%H%M")
    markdown = table(results)
    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / f"results-{stamp}.md").write_text(markdown + "\n")
    print(f"\n{markdown}\n\nSaved to {OUT}/results-{stamp}.json and .md")


if __name__ == "__main__":
    main()
