"""The front: nginx with the project's own configuration (deploy/nginx.conf), in front of
the web processes a test or the benchmark starts."""

import shutil
import socket
import subprocess
import sys
from pathlib import Path

from practice.management.commands.front_config import BROTLI_MODULES, MODULES

from .processes import ROOT, ChildProcess, free_port, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def has_brotli():
    """Whether Debian's Brotli modules for nginx are installed: the front loads them then."""
    return all((MODULES / module).exists() for module in BROTLI_MODULES)


def front_config(*, upstreams, directory, env):
    """Render the front's configuration with `manage.py front_config`, as `make up` does,
    for the settings in `env` (FRONT_BIND, TLS_CERT, STATIC_ROOT, MEDIA_ROOT...)."""
    config = Path(directory) / "nginx.conf"
    command = [sys.executable, "manage.py", "front_config", "--directory", str(directory)]
    for upstream in upstreams:
        command += ["--upstream", upstream]
    subprocess.run(
        [*command, "--output", str(config)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return config


class Front:
    """nginx on a loopback port of its own, balancing `upstreams` (host:port)."""

    def __init__(self, *, upstreams, directory, env, port=None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"{'https' if env.get('TLS_CERT') else 'http'}://127.0.0.1:{self.port}"
        self.env = env | {"FRONT_BIND": f"127.0.0.1:{self.port}"}
        self.config = front_config(upstreams=upstreams, directory=self.directory, env=self.env)
        self.process = None

    def start(self):
        command = [NGINX, "-c", self.config, "-e", "stderr", "-g", "daemon off;"]
        self.process = ChildProcess(command, log_path=self.directory / "nginx.log")
        assert wait_until(self.answers, timeout=10), self.process.log()
        return self

    def stop(self):
        if self.process is not None:
            self.process.stop()
            self.process = None

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def access_log(self):
        return (self.directory / "access.log").read_text(errors="replace")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
