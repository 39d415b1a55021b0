"""Real processes for tests: `paja serve` on a free loopback port, and its lifecycle."""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
PAJA = Path(sys.executable).with_name("paja")


PORT_ATTEMPTS = 5  # a process outside the test run can still take a port before it is bound
# One lock file per port handed out, held (flock) until the test process exits: two test
# processes (pytest-xdist workers, or two runs on one machine) never get the same port,
# so no test takes the port of another's server while it restarts, and a dead process's
# reservations go with it.
RESERVATIONS = Path(tempfile.gettempdir()) / "paja-test-ports"
_reserved: dict[int, IO[bytes]] = {}


def free_port() -> int:
    """A loopback port that was free and that no other test process holds."""
    RESERVATIONS.mkdir(exist_ok=True)
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port in _reserved:
            continue
        lock = (RESERVATIONS / str(port)).open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _reserved[port] = lock
        return port
    raise RuntimeError("no free loopback port that another test process does not hold")


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


class PajaServer:
    """One `paja serve` process; restartable on the same data dir and port."""

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.env = env or {}
        self.args = args or []
        # Largest file the process may write (RLIMIT_FSIZE): a disk that fills up, with no
        # mount. Python ignores SIGXFSZ, so a write past it fails with EFBIG instead.
        self.max_file_bytes: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_once = False
        self.secrets: set[str] = set()  # every token this test minted, checked against the log

    def remember_secrets(self, answer: dict[str, object]) -> None:
        for key, value in answer.items():
            if isinstance(value, str) and (key.endswith("token") or key == "join_secret"):
                self.secrets.add(value)

    def leaked_secrets(self) -> list[str]:
        log = self.log()
        return sorted(secret for secret in self.secrets if secret in log)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> PajaServer:
        """Start the server and wait until it answers. Tests read its metrics, so it
        serves them unless the test's `env` sets `PAJA_METRICS` (empty: the default, off).
        The first start moves to another
        free port when a process outside the test run took its port meanwhile; a restart
        keeps its port, which clients of the test know and no other test process is given."""
        for _ in range(PORT_ATTEMPTS):
            if self._launch():
                self.started_once = True
                wait_http(self.http + "/healthz", proc=self.proc)
                return self
            if self.started_once:
                break
            self.port = free_port()
        raise RuntimeError(f"paja serve could not bind 127.0.0.1:{self.port}")

    def _launch(self, timeout: float = 60.0) -> bool:
        """Run the process; True once it says it bound our port, False if the port was in
        use. Waiting for its own words, not for /healthz, never mistakes another test's
        server on the same port for this one."""
        defaults = {"PAJA_IDLE_UNLOAD_SECONDS": "2", "PAJA_METRICS": "true"}
        env = {**os.environ, **defaults, **self.env}
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                str(PAJA),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                *self.args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
            preexec_fn=self._limit_file_size if self.max_file_bytes is not None else None,
        )
        log.close()
        bound = f"Uvicorn running on {self.http} "
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            said = self.log_path.read_bytes()[offset:].decode(errors="replace")
            if bound in said:
                return True
            if self.proc.poll() is not None:
                if "address already in use" in said:
                    return False
                raise RuntimeError(f"paja serve exited with {self.proc.returncode}:\n{said}")
            time.sleep(0.05)
        raise TimeoutError(f"paja serve did not bind {self.http} in {timeout} s")

    def _limit_file_size(self) -> None:
        assert self.max_file_bytes is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.max_file_bytes, resource.RLIM_INFINITY))

    def lift_file_size_limit(self) -> None:
        """The disk has room again, without a restart."""
        assert self.proc is not None
        unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        resource.prlimit(self.proc.pid, resource.RLIMIT_FSIZE, unlimited)

    def readiness(self) -> int | None:
        """The status of /readyz, or None while nothing answers on the port."""
        try:
            return httpx.get(self.http + "/readyz", timeout=5).status_code
        except httpx.TransportError:
            return None

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> bool:
        """SIGTERM, and True when the server said it stored everything before exiting.

        uvicorn re-raises the signal after a clean shutdown, so the status is -15.
        """
        assert self.proc is not None
        before = len(self.log())
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        return code in (0, -signal.SIGTERM) and "every edit is stored" in self.log()[before:]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def create_session(self, title: str = "Workshop", **extra: object) -> dict[str, str]:
        r = httpx.post(self.http + "/api/sessions", json={"title": title, **extra}, timeout=10)
        r.raise_for_status()
        self.remember_secrets(r.json())
        return dict(r.json())

    def join(
        self, session: dict[str, str], name: str, tags: list[str] | None = None
    ) -> dict[str, str]:
        r = httpx.post(
            f"{self.http}/api/sessions/{session['id']}/participants",
            json={"name": name, "tags": tags or []},
            headers={"Authorization": f"Bearer {session['join_secret']}"},
            timeout=10,
        )
        r.raise_for_status()
        self.remember_secrets(r.json())
        return dict(r.json())

    def metric(self, name: str) -> float:
        """One sample of the server's Prometheus metrics, e.g. `paja_open_connections`."""
        for line in httpx.get(self.http + "/metrics", timeout=5).text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise KeyError(name)

    def board_url(self, session_id: str, board: str, token: str) -> str:
        return f"{self.ws}/ws/{session_id}/{board}?token={token}"
