"""A custom Paja bot: whenever a timer ends, it posts what the main board holds by then.

    PAJA_TOKEN=BOT_TOKEN python examples/timer_bot.py https://paja.example/s/SESSION_ID

It follows `control` and `main` read-only (paja_client.LiveBoard) and posts with the bot
token (paja_client.PajaClient), so everyone in the session sees the notes of each
timeboxed phase as the phase ends. `--once` stops after the first post (docs/bots.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from paja_client import LiveBoard, PajaClient, PajaError
from rooms.summary import escape

MAX_NOTES = 20


def ended_timers(control: LiveBoard) -> dict[tuple[str, int], dict[str, Any]]:
    """Timers that have ended, keyed by id and end time: a restarted timer ends anew."""
    return {
        (timer_id, timer["ended_at"]): timer
        for timer_id, timer in control.map("timers").items()
        if isinstance(timer, dict) and timer.get("state") == "ended"
    }


def notes_so_far(main: LiveBoard, label: str) -> str:
    """Markdown: the timer's label and the texts of the main board's notes, oldest first."""
    written = [n for n in main.map("notes").values() if isinstance(n, dict) and n.get("text")]
    written.sort(key=lambda note: note.get("created_at") or 0)
    lines = [f"### {escape(label or 'Timer')}: time is up", ""]
    lines.append(f"{len(written)} notes on the main board:")
    lines.append("")
    lines += [f"- {escape(str(note['text']))}" for note in written[:MAX_NOTES]]
    if len(written) > MAX_NOTES:
        lines.append(f"- … and {len(written) - MAX_NOTES} more")
    return "\n".join(lines) + "\n"


async def watch(url: str, token: str | None, *, author: str, once: bool) -> None:
    async with (
        PajaClient(url, token) as client,
        LiveBoard(client, "control") as control,
        LiveBoard(client, "main") as main,
    ):
        seen = set(ended_timers(control))  # what ended before the bot started is not news
        print(f"watching the timers of session {client.session_id}", flush=True)
        while True:
            fresh = await control.wait_for(lambda board: ended_timers(board).keys() - seen)
            for key in sorted(fresh):
                label = str(ended_timers(control)[key].get("label") or "")
                await client.post_summary(author, notes_so_far(main, label))
                print(f"posted the notes at the end of timer {key[0]!r}", flush=True)
            seen.update(fresh)
            if once:
                return


def main() -> int:
    parser = argparse.ArgumentParser(description="Post the main board's notes as timers end.")
    parser.add_argument("url", help="the session link, e.g. https://host/s/ID")
    parser.add_argument("--author", default="Timer bot")
    parser.add_argument("--once", action="store_true", help="stop after the first post")
    args = parser.parse_args()
    try:
        asyncio.run(
            watch(args.url, os.environ.get("PAJA_TOKEN"), author=args.author, once=args.once)
        )
    except ValueError as usage:  # no token, or not a session link
        parser.error(str(usage))
    except PajaError as problem:
        print(f"timer bot: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
