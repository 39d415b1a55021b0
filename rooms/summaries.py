"""Wrap-ups posted by bots or facilitators, shown to everyone in the session.

Markdown is kept as the text that was posted: the server never renders it, so a summary
cannot smuggle HTML into anyone's browser; clients render it safely.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from .control import Value, summaries
from .errors import Invalid

MAX_MARKDOWN = 20_000


def post(doc: Doc[Any], summary_id: str, *, author: str, markdown: str, by: str, now: int) -> Value:
    if not markdown.strip() or len(markdown) > MAX_MARKDOWN:
        raise Invalid(f"markdown is 1-{MAX_MARKDOWN} characters")
    summary = {"id": summary_id, "author": author, "markdown": markdown, "posted_at": now, "by": by}
    summaries(doc).append(summary)
    return summary
