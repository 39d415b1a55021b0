"""A real `redis-server` for tests: free loopback port, its own dir, and its failures.

Tests kill it (`kill9`), freeze it (`pause`/`resume`) and bring it back on the same port
and dir (`start` again), with or without its append-only file.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import redis

from .processes import PORT_ATTEMPTS, PajaServer, free_port


class RedisServer:
    def __init__(self, directory: Path, *, appendonly: bool = True) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendonly = appendonly
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_once = False
        self.log_path = directory / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30.0) -> RedisServer:
        """Start redis-server; the first start moves to another free port when its port was
        taken meanwhile, a restart keeps the port its clients know."""
        for _ in range(PORT_ATTEMPTS):
            if self._launch(timeout):
                self.started_once = True
                return self
            if self.started_once:
                break
            self.port = free_port()
        raise RuntimeError(f"redis-server could not bind 127.0.0.1:{self.port}")

    def _launch(self, timeout: float) -> bool:
        """Run redis-server; True once it answers, False if its port was in use."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        offset = len(self._log())
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
            said = self._log()[offset:]
            if self.proc.poll() is not None:
                if "Address already in use" in said:
                    return False
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}:\n{said}")
            if "Ready to accept connections" not in said:  # its own words, not another's
                time.sleep(0.05)
                continue
            try:
                with self.client() as client:
                    if client.ping():
                        return True
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError(f"redis-server on port {self.port} did not answer")

    def _log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

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
    server_factory: type[PajaServer],
    redis_server: RedisServer,
    n: int,
    *,
    ttl_seconds: float,
    args: Sequence[str] = (),
) -> list[PajaServer]:
    """`n` instances of one deployment on this Redis, each also given `args`; a dead one's
    presence goes after `ttl_seconds`."""
    env = {"PAJA_INSTANCE_TTL_SECONDS": str(ttl_seconds)}
    return [
        server_factory(args=["--redis-url", redis_server.url, *args], env=env).start()
        for _ in range(n)
    ]
