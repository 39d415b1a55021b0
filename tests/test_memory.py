"""What leaves must leave memory: a server runs for days while workshops come and go, and
every board kept by mistake keeps its whole history."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from prometheus_client import CollectorRegistry
from pycrdt import Doc, Map

from server.bus.local import LocalBus
from server.process.config import Settings
from server.process.memory import MemoryUpkeep, heap_trimmer
from server.process.metrics import Counters
from server.store.sqlite import SQLiteStore
from server.sync.hub import Hub
from support.yclient import eventually


def add_notes(doc: Doc) -> None:
    notes = doc.get("notes", type=Map)
    for i in range(50):
        notes[f"n{i}"] = Map({"x": i, "y": i, "text": f"note {i}"})


async def test_an_unloaded_board_is_freed_with_its_history(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, idle_unload_seconds=0.05)
    store = SQLiteStore(settings.sqlite_path)
    await store.start()
    hub = Hub(store.documents, LocalBus(), settings, Counters(CollectorRegistry()))
    await hub.start()
    try:
        document = await hub.acquire("s1/main")
        document.edit(add_notes)
        board = weakref.ref(document)
        history = weakref.ref(document.doc)
        hub.release(document)
        del document
        # gone from the hub, and the unload's own tail (its compaction) has finished
        await eventually(lambda: "s1/main" not in hub.documents and not hub._unloading, 5)
        gc.collect()
        assert board() is None, gc.get_referrers(board())
        assert history() is None
        # and it loads again whole
        again = await hub.acquire("s1/main")
        assert len(again.doc.get("notes", type=Map)) == 50
        hub.release(again)
    finally:
        await hub.close()
        await store.close()


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_upkeep_frees_cycles_at_once_and_trims_the_heap() -> None:
    """A closed WebSocket leaves cycles that CPython's oldest generation would free only
    much later; the upkeep collects them (and trims glibc's heap, which this machine has)."""
    gc.collect()
    gc.disable()  # only the upkeep may collect here
    try:
        cycle = Cycle()
        alive = weakref.ref(cycle)
        del cycle
        assert alive() is not None
        MemoryUpkeep(60).run_once()
        assert alive() is None
    finally:
        gc.enable()
    assert heap_trimmer() is not None
