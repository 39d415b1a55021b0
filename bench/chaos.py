"""A chaos run under load: 3 instances on one Redis, CLIENTS pycrdt clients editing one
board, while the run kills one instance with -9, freezes Redis for 5 s, restarts Redis,
and fills up the store; then it checks that every client's board equals every other's and
holds every edit that any client saw acknowledged, and that a new instance loads it all
from Redis. Everything binds 127.0.0.1; the run is bounded in time and edits.

"Fills up the store": a Redis deployment has no local disk, and RLIMIT_FSIZE on
redis-server's append-only file kills it (redis-server does not ignore SIGXFSZ), which is
the restart again. So the run fills Redis's memory instead: `maxmemory` set just under
what it uses, with `noeviction`, so every write is refused (OOM) while reads go on, for
FULL_SECONDS; then the limit is lifted. Edits waiting for the store are bounded low here
(PENDING_BOUND per board), so writers meet the 1013 of a store that is behind.

An edit counts as acknowledged once a client other than its author holds it (as in
tests/support/load.py), sampled on a few clients every second.

    .venv/bin/python bench/chaos.py [--clients 150] [--every 3]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

from pycrdt import Map

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.processes import PajaServer
from support.redis import RedisServer
from support.yclient import YClient

PENDING_BOUND = 4 * 1024
FULL_SECONDS = 5.0
PAUSE_SECONDS = 5.0
CONVERGE_SECONDS = 120.0


class Member:
    """One person's client: edits every `every` seconds, whether connected or not (as a
    browser keeps typing offline), and reconnects to a live instance after any close, as a
    stock client behind a balancer does."""

    def __init__(self, n: int, client: YClient, every: float) -> None:
        self.n = n
        self.prefix = f"c{n}-"
        self.client = client
        self.every = every
        self.edits = 0
        self.closes: collections.Counter[str] = collections.Counter()  # "code reason"

    def connected(self) -> bool:
        return self.client.ws is not None and not self.client.closed.is_set()

    async def run(self, servers: list[PajaServer], path: str, stop: asyncio.Event) -> None:
        notes = self.client.doc.get("notes", type=Map)
        await asyncio.sleep(random.uniform(0, self.every))
        while not stop.is_set():
            notes[f"{self.prefix}{self.edits}"] = self.edits
            self.edits += 1
            if not self.connected():
                await self.reconnect(servers, path)
            await asyncio.sleep(self.every)

    async def reconnect(self, servers: list[PajaServer], path: str) -> bool:
        if self.client.ws is not None:
            self.closes[f"{self.client.close_code} {self.client.close_reason}".strip()] += 1
        alive = [s for s in servers if s.alive()]
        self.client.url = random.choice(alive).ws + path
        try:
            await self.client.connect(timeout=5)
        except Exception:
            return False
        return True


def acknowledged(members: list[Member], sample: int) -> set[str]:
    found: set[str] = set()
    for member in random.sample(members, min(sample, len(members))):
        found.update(
            k for k in member.client.doc.get("notes", type=Map) if not k.startswith(member.prefix)
        )
    return found


async def main(clients: int, every: float) -> None:
    started = time.monotonic()

    def say(what: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {what}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="paja-chaos-"))
    redis = RedisServer(tmp / "redis").start()
    env = {
        "PAJA_INSTANCE_TTL_SECONDS": "3",
        "PAJA_MAX_CONNECTIONS_PER_TOKEN": str(clients + 10),
        "PAJA_MAX_PENDING_BYTES_PER_BOARD": str(PENDING_BOUND),
        "PAJA_METRICS": "",
    }
    servers = [
        PajaServer(
            tmp / f"data{i}", tmp / f"server{i}.log", env=env, args=["--redis-url", redis.url]
        )
        for i in range(4)
    ]
    for server in servers[:3]:
        server.start()
    say(f"3 instances on one Redis; logs in {tmp}")
    try:
        session = servers[0].create_session()
        path = f"/ws/{session['id']}/main?token={session['facilitator_token']}"
        members = [Member(n, YClient(servers[n % 3].ws + path), every) for n in range(clients)]
        for member in members:
            await member.client.connect(timeout=20)
        say(f"{clients} clients connected, 1/3 on each instance; each adds a note every {every} s")
        stop = asyncio.Event()
        runs = [asyncio.create_task(m.run(servers[:3], path, stop)) for m in members]
        seen: set[str] = set()

        async def sample_for(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                seen.update(acknowledged(members, 10))
                await asyncio.sleep(1)

        await sample_for(8)
        say(f"kill -9 instance 2 ({sum(m.connected() for m in members)} clients connected)")
        servers[2].kill9()
        await sample_for(5)
        servers[2].start()
        say("instance 2 restarted")
        await sample_for(5)
        say(f"Redis frozen (SIGSTOP) for {PAUSE_SECONDS:.0f} s")
        redis.pause()
        await sample_for(PAUSE_SECONDS)
        redis.resume()
        say("Redis resumed")
        await sample_for(7)
        say("Redis restarted (SIGTERM, then started again from its append-only file)")
        redis.stop()
        redis.start()
        await sample_for(8)
        with redis.client() as admin:
            used = int(admin.info("memory")["used_memory"])
            admin.config_set("maxmemory-policy", "noeviction")
            admin.config_set("maxmemory", str(used - 1024 * 1024))
            say(
                f"Redis full: maxmemory {used // 1024 - 1024} KiB, "
                f"under the {used // 1024} KiB it uses"
            )
            await sample_for(FULL_SECONDS)
            admin.config_set("maxmemory", "0")
        say("Redis has room again")
        await sample_for(8)
        stop.set()
        await asyncio.gather(*runs)
        edits = {f"{m.prefix}{i}" for m in members for i in range(m.edits)}
        say(f"editing stopped: {len(edits)} edits made, {len(seen)} seen acknowledged")

        deadline = time.monotonic() + CONVERGE_SECONDS
        while time.monotonic() < deadline:
            down = [m for m in members if not m.connected()]
            for member in down:
                await member.reconnect(servers[:3], path)
            if not down and all(set(m.client.doc.get("notes", type=Map)) == edits for m in members):
                break
            await asyncio.sleep(0.5)
        say("clients settled")
        closes: collections.Counter[str] = sum((m.closes for m in members), collections.Counter())
        say("closes the clients saw: " + "; ".join(f"{n} x {c}" for c, n in closes.most_common()))

        boards = [m.client.notes() for m in members]
        equal = all(board == boards[0] for board in boards)
        lost_ack = seen - set(boards[0])
        lost = edits - set(boards[0])
        servers[3].start()
        fresh = await YClient(servers[3].ws + path).connect(timeout=30)
        stored = fresh.notes()
        say(
            f"FOUND: all {clients} boards equal: {equal}; acknowledged edits missing: "
            f"{len(lost_ack)}; edits made but missing: {len(lost)}; a new instance loads "
            f"{len(stored)} notes from Redis, equal to the clients': {stored == boards[0]}"
        )
        await fresh.close()
        for member in members:
            await member.client.close()
        ok = equal and not lost_ack and not lost and stored == boards[0]
        say("PASS" if ok else "FAIL")
    finally:
        for server in servers:
            server.stop()
        redis.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=150)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between a client's edits")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.clients, arguments.every))
