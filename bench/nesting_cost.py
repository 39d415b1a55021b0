"""What the nesting bound (server/sync/nesting.py) costs per update, beside what pycrdt's own
apply of the same update costs in the same run (the anchor), in CPU time of this process
(so that other work on the machine does not count): the check runs on every
update a client sends, and once over a board's whole stored state when it loads.

    .venv/bin/python bench/nesting_cost.py [--notes 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map, Text

from server.sync.nesting import Nesting


def updates_of(change: Callable[[Doc[Any]], None], doc: Doc[Any]) -> list[bytes]:
    found: list[bytes] = []
    subscription = doc.observe(lambda event: found.append(event.update))
    change(doc)
    doc.unobserve(subscription)
    return found


def board(notes: int) -> tuple[Doc[Any], dict[str, list[bytes]]]:
    """A board of `notes` notes, and the updates of three everyday edits on it."""
    doc: Doc[Any] = Doc()
    table = doc.get("notes", type=Map)

    def create(d: Doc[Any], start: int, count: int) -> None:
        for i in range(start, start + count):
            with d.transaction():
                note: Map[Any] = Map()
                table[f"n{i}"] = note
                note["text"] = Text(f"idea {i}: mitä tiedämme")
                note["x"], note["y"], note["color"] = float(i), 2.0, "yellow"

    create(doc, 0, notes)
    for r in range(5):
        for i in range(0, notes, 3):
            table[f"n{i}"]["x"] = float(i + r)
    edits = {
        "create a note": updates_of(lambda d: create(d, notes, 200), doc),
        "move a note": updates_of(
            lambda d: [table[f"n{i}"].__setitem__("y", 9.0) for i in range(200)], doc
        ),
        "type a character": updates_of(
            lambda d: [table[f"n{i}"]["text"].insert(0, "a") for i in range(200)], doc
        ),
    }
    return doc, edits


def timed(work: Callable[[], None], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        runs.append(time.process_time() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    doc, edits = board(args.notes)
    state = doc.get_update()
    print(f"board: {args.notes} notes, {len(state) / 1e6:.2f} MB encoded")
    print(f"{'what':<26}{'nesting check':>16}{'pycrdt apply':>16}{'ratio':>8}")

    whole_check = timed(lambda: Nesting().check(state), args.repeat)
    whole_apply = timed(lambda: Doc().apply_update(state), args.repeat)
    print(
        f"{'load the whole board':<26}{whole_check * 1e3:>13.1f} ms{whole_apply * 1e3:>13.1f} ms"
        f"{whole_check / whole_apply:>8.1f}"
    )
    nesting = Nesting()
    nesting.keep(nesting.check(state))
    for what, updates in edits.items():
        check = timed(lambda u=updates: [nesting.check(x) for x in u], args.repeat)
        applies = []
        for _ in range(args.repeat):
            target: Doc[Any] = Doc()
            target.apply_update(state)
            started = time.process_time()
            for update in updates:
                target.apply_update(update)
            applies.append(time.process_time() - started)
        apply = statistics.median(applies)
        print(
            f"{what:<26}{check / len(updates) * 1e6:>13.1f} µs"
            f"{apply / len(updates) * 1e6:>13.1f} µs{check / apply:>8.2f}"
        )


if __name__ == "__main__":
    main()
