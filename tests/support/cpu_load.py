"""`--busy-cores N`: run the tests beside N busy loops, as on a loaded CI machine.

A test that waits for a state passes with every core busy; one that waits for a fixed time
fails here first. The loops start once per run (not per xdist worker), and each one also ends
by itself after an hour so a killed run leaves nothing spinning.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

BUSY_LOOP = "import time\nend = time.monotonic() + 3600\nwhile time.monotonic() < end: pass\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--busy-cores",
        type=int,
        default=0,
        metavar="N",
        help="keep N cores busy with spinning processes while the tests run",
    )


def pytest_configure(config: pytest.Config) -> None:
    count = config.getoption("--busy-cores")
    if count <= 0 or hasattr(config, "workerinput"):
        return
    loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(count)]
    config.stash[_LOOPS] = loops


def pytest_unconfigure(config: pytest.Config) -> None:
    for loop in config.stash.get(_LOOPS, []):
        loop.kill()
        loop.wait()


def pytest_report_header(config: pytest.Config) -> str | None:
    count = config.getoption("--busy-cores")
    return f"busy loops: {count} cores kept busy" if count > 0 else None


_LOOPS = pytest.StashKey[list[subprocess.Popen[bytes]]]()
