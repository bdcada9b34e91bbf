"""Errors reach a person through Sentry, without a patient's data.

sentry-sdk is told to send no personal data, no request body and no local variables, and
no performance traces (their spans would carry what `scrub_event` never sees). What it
still sends passes through `scrub_event` and `scrub_breadcrumb`: of a request, only the
method, the address without its query string, and a few headers that name nobody; no
user; of an exception, its type and traceback (files, lines, functions, source), and its
message only where Python words it from the program's own names. Anything signed with the
site's key (the patient's manage link) and any email address is cut from what text is left.
"""

import re
import warnings

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import ignore_logger

FILTERED = "[Filtered]"

SECRET_TEXT = re.compile(
    # A value signed with the site's key, Django's `value:signature`: a manage link's token.
    r"(?:[\w.-]+(?::|%3A))+[\w-]{43}(?![\w-])"
    # An email address, as written or in a link.
    r"|[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)

# Cookie, Authorization, Referer (which may be a manage link), X-Forwarded-For and the
# like are left out by not being here.
KEPT_HEADERS = {"host", "user-agent", "accept", "content-type", "content-length"}

# A database error quotes the row ("Key (email)=(...) already exists"), a ValidationError
# or ValueError the value it refused: the message of any other exception is dropped.
WORDED_FROM_NAMES = {
    "AttributeError",
    "NameError",
    "UnboundLocalError",
    "ImportError",
    "ModuleNotFoundError",
    "NotImplementedError",
}

# Their lines name the visitor's address, and for django-axes the login that was tried.
IGNORED_LOGGERS = ["gunicorn.access", "axes.*"]


def init_error_reporting(dsn, *, transport=None):
    """Report errors from the site and its Celery tasks to the Sentry project at `dsn`.

    The environment and release are sentry-sdk's own SENTRY_ENVIRONMENT and SENTRY_RELEASE.
    """
    for name in IGNORED_LOGGERS:
        ignore_logger(name)
    # 2.75 calls send_default_pii deprecated in favour of data_collection, whose categories
    # are on unless named: one that a later release adds would be collected unasked.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The send_default_pii option", DeprecationWarning)
        sentry_sdk.init(
            dsn=dsn,
            integrations=[DjangoIntegration(), CeleryIntegration()],
            send_default_pii=False,
            include_local_variables=False,
            max_request_body_size="never",
            before_send=scrub_event,
            before_breadcrumb=scrub_breadcrumb,
            transport=transport,
        )


def scrub_text(text):
    return SECRET_TEXT.sub(FILTERED, text) if isinstance(text, str) else text


def scrub_event(event, hint):
    request = event.get("request")
    if request is not None:
        url = (request.get("url") or "").partition("?")[0].partition("#")[0]
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": scrub_text(url),
            "headers": {
                name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS
            },
        }
        # What the SDK noted of the parts it had cut already, gone now with the rest.
        event.get("_meta", {}).pop("request", None)
    event.pop("user", None)
    if "transaction" in event:
        event["transaction"] = scrub_text(event["transaction"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("module") is None and exception.get("type") in WORDED_FROM_NAMES:
            exception["value"] = scrub_text(exception.get("value"))
        else:
            exception["value"] = FILTERED
    if "message" in event:
        event["message"] = scrub_text(event["message"])
    if "logentry" in event:
        # The log's words, which the practice writes to name no patient; its values only
        # as formatted into them.
        logentry = event["logentry"]
        event["logentry"] = {
            key: scrub_text(logentry[key]) for key in ("message", "formatted") if key in logentry
        }
    job = (event.get("extra") or {}).get("celery-job")
    if job is not None:
        event["extra"]["celery-job"] = {"task_name": job.get("task_name")}
    return event


def scrub_breadcrumb(crumb, hint):
    """A query's parameters, a link's query string, and secrets in any text are cut."""
    if "message" in crumb:
        crumb["message"] = scrub_text(crumb["message"])
    data = crumb.get("data") or {}
    for key in ("db.params", "http.query", "http.fragment"):
        data.pop(key, None)
    for key, value in data.items():
        data[key] = scrub_text(value)
    return crumb
