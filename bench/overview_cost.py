"""What the facilitator's overview of every breakout room costs the server: a real
`paja serve` runs a round of 30 rooms of 3 (90 pycrdt clients, one note moved in each room
every second), and its CPU per second of wall time is measured with the overview closed
(the anchor) and open (polled every 2 s with its ETag, as the browser does), phases
alternating in the same run so that other work on the machine falls on both alike.

    .venv/bin/python bench/overview_cost.py [--rooms 30] [--seconds 20] [--phases 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from pycrdt import Doc, Map, TransactionEvent, create_sync_message, create_update_message

POLL_SECONDS = 2.0  # lib/overview.ts POLL_MS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Member:
    """One person in a room: a pycrdt client that syncs, and may move its note."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.doc: Doc[Any] = Doc()
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws = await websockets.connect(self.url, max_size=None)
        await self.ws.send(create_sync_message(self.doc))
        self.doc.observe(self._send)
        self.reader = asyncio.create_task(self._drain())

    def _send(self, event: TransactionEvent) -> None:
        asyncio.get_running_loop().create_task(self.ws.send(create_update_message(event.update)))

    async def _drain(self) -> None:
        async for _ in self.ws:  # the server's echoes and others' edits: read, not applied
            pass

    def move(self, key: str) -> None:
        notes = self.doc.get("notes", type=Map)
        if key not in notes:
            notes[key] = Map({"x": 0.0, "y": 0.0, "color": "#fff59d"})
        else:
            notes[key]["x"] = float(random.randrange(0, 2000))

    async def close(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


async def edit_every_second(writers: list[Member], stop: asyncio.Event) -> None:
    """Each room's writer moves its note once a second, spread over the second."""
    while not stop.is_set():
        started = time.monotonic()
        for i, writer in enumerate(writers):
            writer.move(f"n{i}")
            await asyncio.sleep(1 / len(writers))
        await asyncio.sleep(max(0.0, 1 - (time.monotonic() - started)))


async def poll_overview(
    http: httpx.AsyncClient, url: str, stop: asyncio.Event
) -> list[tuple[int, float]]:
    """Poll as the browser does; each answer's status and how long it took (s)."""
    etag: str | None = None
    answers: list[tuple[int, float]] = []
    while not stop.is_set():
        headers = {"If-None-Match": etag} if etag else {}
        started = time.perf_counter()
        answer = await http.get(url, headers=headers)
        answers.append((answer.status_code, time.perf_counter() - started))
        etag = answer.headers.get("ETag", etag)
        await asyncio.sleep(POLL_SECONDS)
    return answers


def main(rooms: int, seconds: float, phases: int) -> None:
    port = free_port()
    env = os.environ | {
        "PAJA_JOINS_PER_MINUTE_PER_SESSION": "10000",
        "PAJA_MAX_CONNECTIONS_PER_ADDRESS": "10000",
        "PAJA_MAX_CONNECTIONS_PER_SESSION": "10000",
    }
    with tempfile.TemporaryDirectory() as data:
        paja = Path(sys.executable).parent / "paja"
        command = [str(paja), "serve", "--host", "127.0.0.1", "--port", str(port)]
        server = subprocess.Popen(
            [*command, "--data-dir", data], env=env, stderr=subprocess.DEVNULL
        )
        try:
            asyncio.run(run(f"http://127.0.0.1:{port}", server.pid, rooms, seconds, phases))
        finally:
            server.terminate()
            server.wait(10)


async def run(base: str, pid: int, rooms: int, seconds: float, phases: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for _ in range(100):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        created = (await http.post("/api/sessions", json={"title": "Bench"})).json()
        sid, fac = created["id"], {"Authorization": f"Bearer {created['facilitator_token']}"}
        secret = created["participant_url"].split("#")[1].split("=", 1)[1].split("&")[0]
        people = []
        for i in range(rooms * 3):
            joined = await http.post(
                f"/api/sessions/{sid}/participants",
                json={"name": f"P{i}"},
                headers={"Authorization": f"Bearer {secret}"},
            )
            people.append(joined.json())
        api = f"/api/sessions/{sid}/breakouts"
        body = {"strategy": "random", "group_size": 3, "seed": 1, "duration_ms": 3_600_000}
        await http.post(api, json=body, headers=fac)
        opened = (await http.post(f"{api}/r1/open", headers=fac)).json()
        tokens = {p["participant_id"]: p["token"] for p in people}
        ws = base.replace("http", "ws", 1)
        members = [
            Member(f"{ws}/ws/{sid}/{room['board']}?token={tokens[pid]}")
            for room in opened["rooms"]
            for pid in room["members"]
        ]
        for member in members:
            await member.connect()
        writers = members[::3]
        stop = asyncio.Event()
        editing = asyncio.create_task(edit_every_second(writers, stop))
        await asyncio.sleep(3)  # every room loaded and edited once
        print(f"{len(opened['rooms'])} rooms, {len(members)} clients, 1 edit/s per room")
        http.headers.update(fac)
        closed: list[float] = []
        shown: list[float] = []
        polls: list[tuple[int, float]] = []
        for phase in range(phases * 2):
            overview_open = phase % 2 == 1
            halt = asyncio.Event()
            poller = (
                asyncio.create_task(poll_overview(http, f"{api}/r1/overview", halt))
                if overview_open
                else None
            )
            before, started = cpu_seconds(pid), time.monotonic()
            await asyncio.sleep(seconds)
            per_second = (cpu_seconds(pid) - before) / (time.monotonic() - started)
            halt.set()
            if poller is not None:
                polls += await poller
            (shown if overview_open else closed).append(per_second)
            label = "open  " if overview_open else "closed"
            print(f"  phase {phase + 1}: overview {label} {per_second * 1000:7.1f} ms CPU/s")
        stop.set()
        await editing
        for member in members:
            await member.close()
    a, b = statistics.mean(closed), statistics.mean(shown)
    print(f"server CPU per second, overview closed (anchor): {a * 1000:.1f} ms")
    print(f"server CPU per second, overview open:            {b * 1000:.1f} ms")
    print(f"the overview's share: {(b - a) * 1000:+.1f} ms/s ({(b - a) / a:+.0%})")
    waits = sorted(seconds for _, seconds in polls)
    not_modified = sum(1 for status, _ in polls if status == 304)
    print(f"polls: {len(polls)} ({not_modified} answered 304 Not Modified)")
    median, worst = statistics.median(waits) * 1000, waits[-1] * 1000
    print(f"a poll answered in: median {median:.1f} ms, worst {worst:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--phases", type=int, default=2)
    args = parser.parse_args()
    main(args.rooms, args.seconds, args.phases)
