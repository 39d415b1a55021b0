"""Fixtures that start real servers. Each test gets its own `paja serve` on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.processes import PajaServer
from support.redis import RedisServer

pytest_plugins = ["support.cpu_load"]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[type[PajaServer]]:
    started: list[PajaServer] = []

    class Factory(PajaServer):
        def __init__(self, **kwargs: object) -> None:
            n = len(started)
            super().__init__(tmp_path / f"data{n}", tmp_path / f"server{n}.log", **kwargs)  # type: ignore[arg-type]
            started.append(self)

    yield Factory
    for server in started:
        server.stop()
    ARTIFACTS.mkdir(exist_ok=True)
    for server in started:
        (ARTIFACTS / f"{tmp_path.name}-{server.log_path.name}").write_text(server.log())
    # Every test doubles as a check that no token it used reached a server log.
    leaked = [secret[:6] + "…" for server in started for secret in server.leaked_secrets()]
    assert not leaked, f"tokens written to a server log: {leaked}"


@pytest.fixture
def server(server_factory: type[PajaServer]) -> PajaServer:
    return server_factory().start()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server on a free port, for this test alone."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
