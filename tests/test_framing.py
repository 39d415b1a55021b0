"""Who may show Paja's pages in a frame: Teams' hosts when the operator names them
(`--frame-ancestors`, docs/teams.md), this site alone otherwise; checked on the CSP header
of a real server's pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from support.processes import PAJA, PajaServer

TEAMS = "https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"
PAGES = ("/", "/teams/side", "/teams/config", "/j/some-session", "/api/time")


def frame_ancestors(server: PajaServer, path: str) -> list[str]:
    """The sources of the page's frame-ancestors directive."""
    policy = httpx.get(server.http + path).headers["content-security-policy"]
    [directive] = [d.split() for d in policy.split(";") if d.split()[:1] == ["frame-ancestors"]]
    return directive[1:]


def test_without_the_flag_only_paja_itself_may_frame_it(server: PajaServer) -> None:
    for path in PAGES:
        assert frame_ancestors(server, path) == ["'self'"], path


def test_teams_may_frame_the_pages_when_named(server_factory: type[PajaServer]) -> None:
    server = server_factory(args=["--frame-ancestors", TEAMS]).start()
    for path in PAGES:
        assert frame_ancestors(server, path) == ["'self'", *TEAMS.split()], path


@pytest.mark.parametrize(
    "listed",
    ["*", "https:", "https://teams.microsoft.com; script-src *", "http://teams.microsoft.com"],
)
def test_a_list_that_would_open_framing_wider_stops_the_start(tmp_path: Path, listed: str) -> None:
    command = [str(PAJA), "serve", "--port", "0", "--data-dir", str(tmp_path)]
    done = subprocess.run(
        [*command, "--frame-ancestors", listed],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "frame ancestors must be https origins" in done.stderr
