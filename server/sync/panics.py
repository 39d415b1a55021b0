"""pycrdt's Rust side can panic on updates it should refuse; pyo3 raises that in Python as
`PanicException`, a BaseException, so no `except Exception` sees it. Each place that
applies data from outside (a socket, a peer, the store) treats a panic as corrupt data."""

from __future__ import annotations


def is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"
