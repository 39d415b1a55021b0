"""Fixtures that start real servers. A test gets its own `paja serve` on a free port
(`server`, `server_factory`) when it restarts it, changes its settings or counts what
it holds; a test that needs only a session of its own takes the module's
`shared_server`, which saves a start-up per test."""

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
    finish(started, tmp_path.name)


def finish(started: list[PajaServer], name: str) -> None:
    """Stop the servers, keep their logs as artifacts, and fail if a token reached a log:
    every test doubles as that check."""
    for server in started:
        server.stop()
    ARTIFACTS.mkdir(exist_ok=True)
    for server in started:
        (ARTIFACTS / f"{name}-{server.log_path.name}").write_text(server.log())
    leaked = [secret[:6] + "…" for server in started for secret in server.leaked_secrets()]
    assert not leaked, f"tokens written to a server log: {leaked}"


@pytest.fixture
def server(request: pytest.FixtureRequest) -> PajaServer:
    """A `paja serve` with the default settings: the test's own, or its module's
    `shared_server` where the module is marked `shared_server`."""
    if request.node.get_closest_marker("shared_server"):
        return request.getfixturevalue("shared_server")  # type: ignore[no-any-return]
    return request.getfixturevalue("server_factory")().start()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PajaServer]:
    """One `paja serve` with the default settings for a module's tests that each create
    their own session and neither restart the server nor count what it holds."""
    directory = tmp_path_factory.mktemp("shared")
    server = PajaServer(directory / "data", directory / "server.log").start()
    yield server
    finish([server], directory.name)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server on a free port, for this test alone."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()
