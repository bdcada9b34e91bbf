"""The site served over HTTP by gunicorn, and a client that uses it as a browser would."""

import gzip
import http.client
import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import NamedTuple

import brotli

from .processes import ChildProcess


def gunicorn(*, port, env, log_path, workers=2, access_log=None):
    """gunicorn serving the site with `workers` sync workers, as the Procfile does; with
    `access_log`, a line there for each request it answered (the Procfile's go to stdout)."""
    command = [sys.executable, "-m", "gunicorn", "practice.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket"]
    # As the Procfile: gunicorn believes no forwarded header; the site decides (TRUSTED_PROXIES).
    command += ["--forwarded-allow-ips", ""]
    command += ["--logger-class", "practice.logs.AccessLogger"]
    if access_log:
        command += ["--access-logfile", access_log]
    return ChildProcess(command, env=env, log_path=log_path)


class Answer(NamedTuple):
    """What came back: the status, the address landed on (after redirects), the headers
    and the body."""

    status: int
    url: str
    headers: object
    body: bytes

    @property
    def page(self):
        return self.body.decode(errors="replace")


class Browserless:
    """Just enough of a browser: cookies, the form's hidden fields, redirects."""

    def __init__(self, base_url, timeout=10):
        self.base_url = base_url
        self.timeout = timeout
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)

    def get(self, path):
        with self.opener.open(self.base_url + path, timeout=self.timeout) as response:
            return response.geturl(), response.read().decode()

    def open(self, path, data=None, content_type=None):
        """GET `path`, or POST `data` (bytes) to it; any answer, an error's too, as an Answer."""
        headers = {"Referer": self.base_url + path}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.geturl(), response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.geturl(), error.headers, error.read())

    def log_in(self, admin_path, username, password, code):
        """Log in to the admin at `admin_path` as a member of staff does: the password, then
        `code`, from the authenticator app or a backup code."""
        self.submit(
            f"{admin_path}login/?next={admin_path}", {"username": username, "password": password}
        )
        return self.submit(f"{admin_path}login/code/", {"code": code})

    def save_form(self, path, form_id, changes, files=None):
        """Load the page at `path` and send its form `form_id` back as a browser would, with
        `changes` ({name: value}; None removes a field) and `files` (see multipart_body)."""
        fields = [
            (name, value)
            for name, value in form_fields(self.open(path).page, form_id)
            if name not in changes
        ]
        fields += [(name, value) for name, value in changes.items() if value is not None]
        body, content_type = multipart_body(fields, files or {})
        return self.open(path, body, content_type)

    def answers(self):
        """Whether the site answers at all (its health check, whatever its status)."""
        try:
            self.opener.open(self.base_url + "/healthz", timeout=self.timeout).close()
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def fill(self, path, fields):
        """Load the form at `path` and fill it in with `fields`: the body a browser would
        post, with the page's hidden fields (CSRF token; submission key and stamp unless
        `fields` has its own)."""
        _, page = self.get(path)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        return urllib.parse.urlencode(hidden | fields, doseq=True).encode()

    def submit(self, path, fields):
        """Load the form at `path` and post it back filled in with `fields` (see fill());
        returns where the browser landed and the page it shows."""
        data = self.fill(path, fields)
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Referer": self.base_url + path}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            return response.geturl(), response.read().decode()


class FormReader(HTMLParser):
    """The fields a browser would send from the form with id `form_id`, as the page sets
    them: inputs (ticked boxes only), the options selected, text areas; no file."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields = []
        self.inside = False
        self.select = None
        self.select_fields = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            box = kind in ("checkbox", "radio")
            if (box and "checked" not in attrs) or kind in ("file", "submit", "button", "reset"):
                return
            value = attrs.get("value")
            self.fields.append((attrs["name"], ("on" if box else "") if value is None else value))
        elif tag == "select" and attrs.get("name"):
            self.select, self.select_fields = attrs, []
        elif tag == "option" and self.select is not None:
            self.select_fields.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.select_fields if selected]
            if not chosen and "multiple" not in self.select and self.select_fields:
                chosen = [self.select_fields[0][0]]
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None


def form_fields(page, form_id):
    reader = FormReader(form_id)
    reader.feed(page)
    return reader.fields


def multipart_body(fields, files):
    """`fields` ((name, value) pairs) and `files` ({name: (filename, bytes, type)}) as a
    multipart/form-data body; returns it and its Content-Type."""
    boundary = uuid.uuid4().hex
    body = b""
    for name, value in fields:
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for name, (filename, content, content_type) in files.items():
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class RawAnswer:
    """An HTTP answer as it came over the wire: the body still compressed, if it was."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name):
        return self.headers.get(name)

    @property
    def content(self):
        """The body as the server meant it, whatever its Content-Encoding."""
        decode = {"gzip": gzip.decompress, "br": brotli.decompress}
        encoding = self.header("Content-Encoding")
        return decode[encoding](self.body) if encoding else self.body

    @property
    def text(self):
        return self.content.decode()


def fetch(base_url, path="/", *, method="GET", headers=None, body=None, timeout=10, **options):
    """One request with exactly the headers given (a forged one, a cookie, an encoding),
    on a connection of its own; `options` go to the connection (`context` for HTTPS,
    `source_address` to come from another loopback address)."""
    address = urllib.parse.urlsplit(base_url)
    if address.scheme == "https":
        connection = http.client.HTTPSConnection(address.netloc, timeout=timeout, **options)
    else:
        connection = http.client.HTTPConnection(address.netloc, timeout=timeout, **options)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return RawAnswer(response.status, response.headers, response.read())
    finally:
        connection.close()
