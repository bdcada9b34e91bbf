"""The site served over HTTP by gunicorn, and a client that uses it as a browser would."""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

from .processes import ChildProcess


def gunicorn(*, port, env, log_path, workers=2):
    """gunicorn serving the site with `workers` sync workers, as the Procfile does."""
    command = [sys.executable, "-m", "gunicorn", "practice.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket"]
    return ChildProcess(command, env=env, log_path=log_path)


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

    def answers(self):
        """Whether the site answers at all (its health check, whatever its status)."""
        try:
            self.opener.open(self.base_url + "/healthz", timeout=self.timeout).close()
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def submit(self, path, fields):
        """Load the form at `path` and post it back with `fields` and the page's hidden
        fields (CSRF token; submission key and stamp unless `fields` has its own);
        returns where the browser landed and the page it shows."""
        _, page = self.get(path)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        data = urllib.parse.urlencode(hidden | fields, doseq=True).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Referer": self.base_url + path}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            return response.geturl(), response.read().decode()
