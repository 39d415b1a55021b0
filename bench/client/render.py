"""Render benchmark of the browser client (not a test): a board with 2,000 notes.

Starts its own `paja serve` on a free loopback port, writes N notes into the main board
with a pycrdt client, opens the participant's board in Debian's headless Chromium and prints

- time to first render: from navigation to every note on screen (and to the first one),
- frame times while dragging one note, and while dragging 50 selected notes at once
  (intervals between animation frames: median, p95, max, frames over 50 ms).

    .venv/bin/python bench/client/render.py [--notes 2000] [--steps 120]

Needs the built client (client/dist) and /usr/bin/chromium; no browser is downloaded.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
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
from playwright.sync_api import sync_playwright
from pycrdt import Doc, Map, Text, create_update_message

ROOT = Path(__file__).resolve().parents[2]
PAJA = Path(sys.executable).with_name("paja")
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
COLORS = ["yellow", "pink", "blue", "green", "orange", "purple"]
RECORD_FRAMES = """() => {
  window.__frames = []; window.__run = true;
  const tick = (t) => { window.__frames.push(t); if (window.__run) requestAnimationFrame(tick) };
  requestAnimationFrame(tick)
}"""
WORDS = "idea try learn map share heard cross border prototype develop use team".split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(PAJA), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("paja serve did not start")


def board_update(count: int, author: str) -> bytes:
    """One update holding `count` notes in a grid, as the fixed board schema says."""
    rng = random.Random(7)
    doc: Doc[Any] = Doc()
    notes = doc.get("notes", type=Map)
    per_row = 50
    with doc.transaction():
        for i in range(count):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))
            notes[f"n{i:05d}"] = Map(
                {
                    "text": Text(text),
                    "x": (i % per_row) * 200,
                    "y": (i // per_row) * 140,
                    "color": COLORS[i % len(COLORS)],
                    "section": None,
                    "author": author,
                    "author_name": "Bench",
                    "created_at": 1_700_000_000_000 + i,
                }
            )
    return doc.get_update()


async def write_board(ws_url: str, update: bytes) -> None:
    async with websockets.connect(ws_url, max_size=None) as ws:
        await ws.send(create_update_message(update))
        await asyncio.sleep(1.0)  # the server flushes to its store every 50 ms


def frame_stats(intervals: list[float]) -> dict[str, float]:
    s = sorted(intervals)
    return {
        "frames": len(s),
        "median_ms": round(statistics.median(s), 2),
        "p95_ms": round(s[int(len(s) * 0.95) - 1], 2),
        "max_ms": round(s[-1], 2),
        "over_50ms": sum(1 for x in s if x > 50),
    }


def drag(page: Any, selector: str, steps: int) -> dict[str, float]:
    """Drag the note at `selector` along a zig-zag, recording every animation frame."""
    note_id = page.locator(selector).get_attribute("data-note")
    box = page.locator(selector).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(RECORD_FRAMES)
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x + i * 2, y + (i % 40) * 1.5)
        page.wait_for_timeout(16)
    page.mouse.up()
    frames: list[float] = page.evaluate("() => { window.__run = false; return window.__frames }")
    after = page.locator(f"[data-note='{note_id}']").bounding_box()
    assert after is not None
    stats = frame_stats([b - a for a, b in itertools.pairwise(frames)][1:])
    return {**stats, "moved_px": round(after["x"] - box["x"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--notes", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=120, help="pointer moves per drag")
    args = ap.parse_args()
    if not (ROOT / "client" / "dist" / "index.html").exists():
        raise SystemExit("build the client first: (cd client && npm ci && npm run build)")

    with tempfile.TemporaryDirectory() as data:
        proc, base = start_server(data)
        try:
            s = httpx.post(base + "/api/sessions", json={"title": "Bench"}, timeout=10).json()
            p = httpx.post(
                f"{base}/api/sessions/{s['id']}/participants",
                json={"name": "Bench"},
                headers={"Authorization": f"Bearer {s['join_secret']}"},
                timeout=10,
            ).json()
            t0 = time.perf_counter()
            update = board_update(args.notes, p["participant_id"])
            ws = base.replace("http", "ws", 1)
            asyncio.run(
                write_board(f"{ws}/ws/{s['id']}/main?token={s['facilitator_token']}", update)
            )
            built = time.perf_counter() - t0
            results = run_browser(base, s, p, args)
        finally:
            proc.terminate()
            proc.wait(15)
    results = {
        "notes": args.notes,
        "update_bytes": len(update),
        "write_s": round(built, 2),
        **results,
    }
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "client-render.json").write_text(json.dumps(results, indent=2) + "\n")


def run_browser(base: str, s: dict[str, Any], p: dict[str, Any], args: Any) -> dict[str, Any]:
    creds = {"participant_id": p["participant_id"], "token": p["token"], "name": "Bench"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(
            viewport={"width": 1600, "height": 1000}, locale="en", bypass_csp=True
        )
        ctx.add_init_script(
            f"localStorage.setItem('paja:p:{s['id']}', JSON.stringify({json.dumps(creds)}))"
        )
        page = ctx.new_page()
        url = f"{base}/j/{s['id']}#join={s['join_secret']}"
        page.goto(url, wait_until="commit")
        page.wait_for_function("document.querySelectorAll('.note').length > 0", timeout=60_000)
        first = page.evaluate("performance.now()")
        page.wait_for_function(
            f"document.querySelectorAll('.note').length >= {args.notes}",
            polling="raf",
            timeout=120_000,
        )
        full = page.evaluate("performance.now()")
        page.wait_for_timeout(500)
        one = drag(page, ".note >> nth=0", args.steps)
        # select 50 notes with Shift+click, then drag them together
        for i in range(1, 50):
            page.locator(".note").nth(i).click(modifiers=["Shift"], force=True)
        page.locator(".note").nth(0).click(modifiers=["Shift"], force=True)
        many = drag(page, ".note.selected >> nth=0", args.steps)
        pan = pan_frames(page, args.steps)
        browser.close()
    return {
        "first_note_ms": round(first),
        "all_notes_ms": round(full),
        "drag_one_note": one,
        "drag_50_notes": many,
        "pan_board": pan,
    }


def pan_frames(page: Any, steps: int) -> dict[str, float]:
    canvas = page.get_by_test_id("canvas").bounding_box()
    assert canvas is not None
    page.evaluate(RECORD_FRAMES)
    for _ in range(steps):
        page.mouse.wheel(7, 5)
        page.wait_for_timeout(16)
    frames: list[float] = page.evaluate("() => { window.__run = false; return window.__frames }")
    return frame_stats([b - a for a, b in itertools.pairwise(frames)][1:])


if __name__ == "__main__":
    main()
