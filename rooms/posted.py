"""Wrap-ups posted by bots or facilitators, shown to everyone in the session.

Markdown is kept as the text that was posted: the server never renders it, so a summary
cannot smuggle HTML into anyone's browser; clients render it safely.

`control` is synced to every client, so the posted summaries are bounded: a session keeps
the newest ones, at most `keep` of them and `keep_bytes` of Markdown (UTF-8) together;
posting past either drops the oldest. The newest wrap-up is the one people need, and a
session whose bound is reached can still be summed up.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from .control import Value, summaries
from .errors import Invalid

MAX_MARKDOWN = 20_000
KEEP = 20
KEEP_BYTES = 256 * 1024


def post(
    doc: Doc[Any],
    summary_id: str,
    *,
    author: str,
    markdown: str,
    by: str,
    now: int,
    keep: int = KEEP,
    keep_bytes: int = KEEP_BYTES,
) -> Value:
    if not markdown.strip() or len(markdown) > MAX_MARKDOWN:
        raise Invalid(f"markdown is 1-{MAX_MARKDOWN} characters")
    if len(markdown.encode()) > keep_bytes:
        raise Invalid(f"a session keeps at most {keep_bytes} bytes of summaries")
    summary = {"id": summary_id, "author": author, "markdown": markdown, "posted_at": now, "by": by}
    posted = summaries(doc)
    posted.append(summary)
    sizes = [len(str(s.get("markdown", "")).encode()) for s in posted]
    oldest = 0
    while len(sizes) - oldest > keep or sum(sizes[oldest:]) > keep_bytes:
        oldest += 1
    if oldest:
        del posted[0:oldest]
    return summary
