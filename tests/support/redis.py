"""A real `redis-server` for tests: free loopback port, its own dir, and its failures.

Tests kill it (`kill9`), freeze it (`pause`/`resume`) and bring it back on the same port
and dir (`start` again), with or without its append-only file.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from .processes import PajaServer, free_port


class RedisServer:
    def __init__(self, directory: Path, *, appendonly: bool = True) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendonly = appendonly
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = directory / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--appendfsync",
                "everysec",
                "--dir",
                str(self.dir),
                "--logfile",
                str(self.log_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                with self.client() as client:
                    if client.ping():
                        return self
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError(f"redis-server on port {self.port} did not answer")

    def client(self) -> redis.Redis:
        """A synchronous client for a test's own look at the data."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def pause(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def deployment(
    server_factory: type[PajaServer], redis_server: RedisServer, n: int, *, ttl_seconds: float
) -> list[PajaServer]:
    """`n` instances of one deployment on this Redis; a dead one's presence goes after
    `ttl_seconds`."""
    env = {"PAJA_INSTANCE_TTL_SECONDS": str(ttl_seconds)}
    return [
        server_factory(args=["--redis-url", redis_server.url], env=env).start() for _ in range(n)
    ]
