"""Prometheus metrics. Per-message counts are plain integers read at scrape time, so the
hot path pays an attribute increment, not a lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class Counters:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.messages_in = 0
        self.bytes_in = 0
        self.frames_direct = 0
        self.frames_queued = 0
        self.bytes_out = 0
        self.connections_total = 0
        self.closed_slow = 0
        self.closed_bad = 0
        self.summaries_built = 0
        self.store_write_seconds = Histogram(
            "paja_store_write_seconds",
            "Time of one batched write to the store",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.load_seconds = Histogram(
            "paja_document_load_seconds",
            "Time to load one document from the store",
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )


class LiveCollector(Collector):
    """Reads counters and gauges from the running server at scrape time."""

    def __init__(
        self,
        counters: Counters,
        open_connections: Callable[[], int],
        loaded: Callable[[], int],
        scheduler_errors: Callable[[], int],
        pending_bytes: Callable[[], int],
    ) -> None:
        self.counters = counters
        self.open_connections = open_connections
        self.loaded = loaded
        self.scheduler_errors = scheduler_errors
        self.pending_bytes = pending_bytes

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        c = self.counters
        yield GaugeMetricFamily(
            "paja_open_connections", "Open WebSocket connections", value=self.open_connections()
        )
        yield GaugeMetricFamily(
            "paja_loaded_documents", "Documents loaded in memory", value=self.loaded()
        )
        yield GaugeMetricFamily(
            "paja_pending_bytes",
            "Bytes of edits taken but not stored yet",
            value=self.pending_bytes(),
        )
        for name, doc, value in (
            ("paja_messages_in", "Messages received from clients", c.messages_in),
            ("paja_bytes_in", "Bytes received from clients", c.bytes_in),
            ("paja_frames_direct", "Frames written straight to a socket", c.frames_direct),
            ("paja_frames_queued", "Frames sent from a connection's queue", c.frames_queued),
            ("paja_bytes_out", "Bytes sent to clients", c.bytes_out),
            ("paja_connections", "WebSocket connections accepted", c.connections_total),
            ("paja_closed_slow_readers", "Connections closed for falling behind", c.closed_slow),
            ("paja_closed_bad_input", "Connections closed for bad input", c.closed_bad),
            (
                "paja_scheduler_errors",
                "Passes of the scheduler that failed",
                self.scheduler_errors(),
            ),
            (
                "paja_summaries_built",
                "Generated summaries built (not served from cache)",
                c.summaries_built,
            ),
        ):
            yield CounterMetricFamily(name, doc, value=value)
