"""`make bench`: start the real stack on this machine, drive it with wrk, print the figures.

gunicorn (2 workers) and one Celery worker run as child processes against the PostgreSQL
and Redis that DATABASE_URL, CELERY_BROKER_URL and REDIS_URL name (by default a
`practice_bench` database and Redis databases 2 and 3 on 127.0.0.1); the SMTP server
(aiosmtpd) runs in this process. The processes, the mailbox and the form's answers are the
tests' own (tests/support/), so that the benchmark measures what the tests check. The
figures go to var/bench/results-<time>.json and .md. It measures and changes nothing;
nothing in CI runs it. It needs wrk (Debian's package) and says so when it is missing.
Tuned by the environment: BENCH_DURATION (10s, in seconds), BENCH_THREADS (2),
BENCH_CONNECTIONS (32), BENCH_WORKER_CONCURRENCY (1); BENCH_PROFILE=1 also samples a
gunicorn worker in each case with py-spy and writes var/bench/profile-<case>.txt
(bench/sampler.py).
"""

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import sampler

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, from bench/: the project's packages are found from the root.
sys.path.insert(0, str(ROOT))

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


def wait_for(condition, timeout, stack):
    """wait_until, stopping the benchmark as soon as a process of the stack has died."""
    return wait_until(lambda: stack.check() or condition(), timeout)


def environment(smtp_port, web_port):
    """What the stack reads: production settings on plain HTTP, limits off for the load."""
    return {
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/practice_bench"
        ),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "TRUSTED_PROXY_COUNT": "0",
        "APPOINTMENT_REQUESTS_PER_HOUR": "100000000",
        "APPOINTMENT_FORM_MIN_SECONDS": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
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


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    except OSError:
        return None, None, ""
    finally:
        connection.close()


def wrk(port, path, mode="get", profile_of=None, **extra):
    """Run wrk for one case; the figures from the script's last line.

    With `profile_of` (a case's name and its gunicorn master's pid), one worker is
    sampled by py-spy while wrk runs (see bench/sampler.py).
    """
    command = [
        *("wrk", "--threads", THREADS, "--connections", CONNECTIONS, "--duration", DURATION),
        # Slow requests are measured, not counted as errors at wrk's default 2 s.
        *("--timeout", "30s", "--script", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{path}"),
    ]
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_THREADS": THREADS, **extra}
    running = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
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


def machine():
    model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    return (
        f"{os.cpu_count()} cores ({model[1] if model else platform.machine()}), "
        f"{int(memory[1]) // 1024**2} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def table(results):
    lines = [
        f"Machine: {results['machine']}. wrk: {THREADS} threads, {CONNECTIONS} connections, "
        f"{DURATION} per case; gunicorn 2 sync workers; Celery worker concurrency "
        f"{WORKER_CONCURRENCY}."
        + (" One gunicorn worker sampled by py-spy, which slows it a little." if PROFILE else ""),
        "",
        "| Case | Requests/s | p50 (ms) | p99 (ms) | Errors (non-2xx/3xx + socket) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, case in results["cases"].items():
        lines.append(
            f"| {name} | {case['requests_per_second']:,} | {case['p50_ms']} | "
            f"{case['p99_ms']} | {case['errors']} |"
        )
    seconds = results["notifications_seconds"]
    instant, slow = (results["cases"][name]["p99_ms"] for name in POST_CASES)
    lines += [
        "",
        f"- {NOTIFICATIONS} queued notifications reach the SMTP server in "
        f"{f'{seconds} s' if seconds is not None else 'more than 300 s'}.",
        f"- Form POST p99 with mail held {SLOW_MAIL_SECONDS} s / mail answered at once: "
        f"{slow} / {instant} ms = {slow / instant:.2f}.",
        f"- Appointment requests saved during the POST cases: {results['saved']} (wrk counts "
        "only the answers that arrived within the run).",
        "- Cold condition page: the cache cleared before the run and every request an "
        "address of its own (`?bench=N`), so a cache keyed on the address never hits; what "
        "every page shares (the practice's details) is cached after the first request.",
    ]
    return "\n".join(lines)


POST_CASES = ["Form POST, mail at once", f"Form POST, mail held {SLOW_MAIL_SECONDS} s"]


def main():
    if shutil.which("wrk") is None:
        sys.exit("make bench drives the site with wrk, which is not installed: apt-get install wrk")
    # So that `finally` stops the stack: on SIGTERM, and on Ctrl-C even when started in the
    # background (which leaves SIGINT ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with smtp_server(Mailbox(keep=False)) as mailbox:
        run(mailbox)


def run(mailbox):
    port = free_port()
    os.environ.update(environment(mailbox.port, port))
    create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.urls import reverse

    from appointments.models import AppointmentRequest
    from conditions.models import Condition
    from practice import celery_app

    print("Migrating, collecting static files, loading the demo content…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo_content", verbosity=0)

    OUT.mkdir(parents=True, exist_ok=True)
    for log in ["gunicorn.log", "celery.log"]:
        (OUT / log).unlink(missing_ok=True)
    stack = Stack()
    try:
        web = stack.add(
            "gunicorn", gunicorn(port=port, env=os.environ, log_path=OUT / "gunicorn.log")
        )
        arguments = worker_arguments(name="bench", concurrency=WORKER_CONCURRENCY)
        stack.add("celery", celery(*arguments, env=os.environ, log_path=OUT / "celery.log"))
        celery_app.control.purge()  # nothing left over from an earlier run
        if not wait_for(lambda: request(port, "GET", "/healthz")[0] == 200, 60, stack):
            sys.exit(f"gunicorn did not answer; see {OUT / 'gunicorn.log'}")
        if not wait_for(lambda: celery_app.control.ping(timeout=0.5), 60, stack):
            sys.exit(f"the Celery worker did not answer; see {OUT / 'celery.log'}")

        print(f"Timing {NOTIFICATIONS} notifications…", flush=True)
        results = {"machine": machine(), "cases": {}}
        results["notifications_seconds"] = time_notifications(mailbox, stack)

        condition = Condition.objects.published().first()
        form = reverse("appointments:request")
        pages = [
            ("Home", reverse("practice:home"), "get"),
            ("Condition page, cold", condition.get_absolute_url(), "unique"),
            ("Condition page, warm", condition.get_absolute_url(), "get"),
            ("FAQ", reverse("faq:list"), "get"),
            ("Form GET", form, "get"),
        ]
        for name, path, mode in pages:
            print(f"{name}…", flush=True)
            if mode == "unique":
                cache.clear()
            else:
                request(port, "GET", path)  # one request to warm what it caches
            results["cases"][name] = wrk(port, path, mode, profile_of(name, web))

        cookie, bodies = post_bodies(port, form, 2 * POST_BODIES + 1, condition)
        status, _, _ = request(port, "POST", form, bodies.pop(), {
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
            results["cases"][name] = wrk(
                port,
                form,
                "post",
                profile_of(name, web),
                BENCH_BODIES=str(bodies_file),
                BENCH_COOKIE=cookie,
            )
        results["saved"] = AppointmentRequest.objects.count() - saved_before
        celery_app.control.purge()
    finally:
        stack.stop()

    stamp = datetime.now().astimezone().strftime("%Y-%m-%d-%H%M")
    markdown = table(results)
    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / f"results-{stamp}.md").write_text(markdown + "\n")
    print(f"\n{markdown}\n\nSaved to {OUT}/results-{stamp}.json and .md")


if __name__ == "__main__":
    main()
