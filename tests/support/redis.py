"""A redis-server of a test's own, that it can stop and start again."""

import socket

from .processes import ChildProcess, free_port, wait_until


class RedisServer:
    """A redis-server process on a loopback port, stopped and started on the same port."""

    def __init__(self, log_path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.process = None

    def start(self):
        self.process = ChildProcess(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            log_path=self.log_path,
        )
        assert wait_until(self.answers, timeout=10), self.process.log()

    def stop(self):
        """Stop it, losing whatever it held, as a broker that crashed would."""
        if self.process is not None:
            self.process.kill()
            self.process = None

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False
