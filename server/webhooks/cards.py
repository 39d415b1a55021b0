"""The parts of an Adaptive Card body that tell a summary by its structure: headings as
bold TextBlocks, figures as FactSets, notes and answers as list items.

A part is built once and rendered at a clipping cap (messages.teams shortens lines until
the card fits), so a heading stays a heading however hard the card is shortened. Each
text is either Markdown already (a posted summary, whose author escaped people's text, as
rooms/summary.py does) or text someone typed, escaped here after it is clipped.

Posted Markdown is read with markdown-it (CommonMark, raw HTML off), never by matching
lines: what a TextBlock cannot show (`#` headings, block quotes) becomes what it can.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from rooms.summary import escape

# A list item that is a figure: "Label: 12", "Kyllä: 3 (75 %)", "mean: 4,2".
FIGURE = re.compile(r"^(?P<title>[^:\n]{1,200}): (?P<value>\d[\d ,.]*(?: ?%)?(?: \([^()]*\))?)$")


@dataclass(frozen=True)
class Part:
    """One element of a card body: `heading`, `line`, `item` or `facts`; `texts` are its
    text (one) or, for facts, titles and values in turn; `markdown` says whether they are
    Markdown already (shown as they are) or typed text (escaped)."""

    kind: str
    texts: tuple[str, ...]
    markdown: bool = False
    level: int = 2
    subtle: bool = False

    def render(self, cap: int) -> dict[str, Any]:
        """The card element, each text clipped to at most `cap` characters."""
        texts = [self._shown(text, cap) for text in self.texts]
        if self.kind == "facts":
            facts = zip(texts[::2], texts[1::2], strict=True)
            return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]}
        style: dict[str, Any] = {"spacing": "Small"}
        if self.kind == "heading":
            style = {"weight": "Bolder", "spacing": "Medium"}
            if self.level <= 1:
                style["size"] = "Medium"
        if self.subtle:
            style["isSubtle"] = True
        text = f"- {texts[0]}" if self.kind == "item" else texts[0]
        return {"type": "TextBlock", "text": text, "wrap": True, **style}

    def _shown(self, text: str, cap: int) -> str:
        clipped = clip(text, cap)
        return clipped if self.markdown else escape(clipped)


def heading(text: str, *, markdown: bool = False, level: int = 2) -> Part:
    return Part("heading", (text,), markdown, level)


def item(text: str, *, markdown: bool = False) -> Part:
    return Part("item", (text,), markdown)


def facts(pairs: list[tuple[str, str]], *, markdown: bool = False) -> Part:
    return Part("facts", tuple(text for pair in pairs for text in pair), markdown)


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_PARSER = MarkdownIt("commonmark", {"html": False})


def from_markdown(markdown: str) -> list[Part]:
    """A posted summary's Markdown as parts: headings bold, a list of figures (every item
    "label: number") a FactSet, other list items items, paragraphs lines; what is quoted
    is subtle. Inline Markdown (emphasis, escapes) stays as its author wrote it."""
    tokens = _PARSER.parse(markdown)
    return list(_parts(tokens, 0, len(tokens), quoted=False))


def _parts(tokens: list[Token], start: int, end: int, *, quoted: bool) -> Iterator[Part]:
    i = start
    while i < end:
        token = tokens[i]
        close = _closing(tokens, i) if token.nesting == 1 else i
        if token.type == "heading_open":
            yield Part("heading", (tokens[i + 1].content,), True, int(token.tag[1:]), quoted)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            yield from _list(tokens, i, close, quoted=quoted)
        elif token.type == "blockquote_open":
            yield from _parts(tokens, i + 1, close, quoted=True)
        elif token.type == "paragraph_open":
            yield Part("line", (tokens[i + 1].content,), True, subtle=quoted)
        elif token.type in ("fence", "code_block") and token.content.strip():
            yield Part("line", (token.content,), False, subtle=quoted)
        i = close + 1


def _list(tokens: list[Token], start: int, end: int, *, quoted: bool) -> Iterator[Part]:
    """A list's items: as one FactSet when every item is a figure, else one part each
    (a nested list's items follow their parent's, flattened)."""
    inline = [t.content for t in tokens[start:end] if t.type == "inline"]
    figures = [FIGURE.match(text) for text in inline]
    if inline and all(figures):
        pairs = [(m["title"], m["value"]) for m in figures if m]
        yield Part("facts", tuple(t for pair in pairs for t in pair), True, subtle=quoted)
        return
    yield from (Part("item", (text,), True, subtle=quoted) for text in inline)


def _closing(tokens: list[Token], start: int) -> int:
    """The index of the token that closes the one opened at `start`."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1
