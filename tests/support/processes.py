"""Ports, waiting for something to happen, and child processes with a log of their own."""

import os
import signal
import socket
import subprocess
import time
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1):
    """Poll `predicate` until it returns something true or `timeout` seconds pass; return
    its last answer. For what a test cannot move the clock of: another process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    return predicate()


class ChildProcess:
    """A command run in a session of its own, its output written to `log_path`.

    Its own session, so that stop() and kill() end the processes it starts with it (a
    prefork worker's pool, gunicorn's workers), and a Ctrl-C meant for the tests does not
    reach it before they are done with it.
    """

    def __init__(self, command, *, log_path, env=None, cwd=ROOT):
        self.log_path = Path(log_path)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                [str(part) for part in command],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.popen.pid

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def log(self):
        return self.log_path.read_text(errors="replace")

    def running(self):
        return self.popen.poll() is None

    def children(self):
        return children_of(self.pid)

    def stop(self, timeout=20):
        """SIGTERM, as a service manager stops it; SIGKILL if it has not gone in time."""
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """SIGKILL the whole session at once, as when its machine is lost."""
        self._signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def _signal(self, signal_number):
        with suppress(ProcessLookupError):  # gone already
            os.killpg(self.pid, signal_number)


def children_of(pid):
    """The processes whose parent is `pid` (a prefork worker's pool processes)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name, in parentheses, may hold spaces: fields after it are fixed.
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                children.append(int(entry.name))
    return children


def connected_to(port, pids):
    """Which of `pids` has a TCP connection open to this loopback port (e.g. the SMTP
    server's), found through /proc as `ss -p` would."""
    remote = f"0100007F:{port:04X}"
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == remote and fields[3] == "01":  # 01: established
            inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def kill(pid):
    """SIGKILL one process (a worker's pool process, say), if it is still there."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
