"""The Teams app package of one deployment (`paja teams-app`): a manifest that points Teams
at this server's pages, and the two icons drawn from Paja's mark.

An organisation's Teams admin uploads the zip; nothing in it is secret. The manifest
follows the Teams manifest schema of `MANIFEST_VERSION` (tests/test_teams_app.py checks it
against the schema shipped in the `@microsoft/app-manifest` npm package).
"""

from __future__ import annotations

import io
import json
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MANIFEST_VERSION = "1.25"
ACCENT = (0x1D, 0x3F, 0x8F)  # the client's --accent
NOTE = (0xFF, 0xF0, 0xA0)  # a yellow note, the client's --note-yellow
FOLD = (0xD9, 0xC2, 0x5A)
WHITE = (0xFF, 0xFF, 0xFF)

Rgba = tuple[int, int, int, int]
Painter = Callable[[float, float], Rgba]


class TeamsAppError(ValueError):
    """A base URL Teams would not load (it frames https pages only)."""


@dataclass(frozen=True)
class TeamsApp:
    """What one deployment's package says: where Paja runs and what Teams calls it."""

    base_url: str
    name: str = "Paja"
    privacy_url: str | None = None
    terms_url: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme != "https" or not parts.hostname:
            raise TeamsAppError(f"{self.base_url!r}: Teams loads tabs from https:// URLs only")
        if parts.path.strip("/") or parts.query or parts.fragment:
            # the client's pages and API calls are absolute paths from the host's root
            raise TeamsAppError(f"{self.base_url!r}: Paja is served from a host's root, no path")
        if not 0 < len(self.name) <= 30:
            raise TeamsAppError("the app's name must be 1 to 30 characters (Teams' limit)")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @property
    def app_id(self) -> str:
        """The same deployment always gets the same id, so a new package upgrades the app
        an organisation installed instead of adding a second one."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.base_url))

    def manifest(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "$schema": "https://developer.microsoft.com/en-us/json-schemas/teams/"
            f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json",
            "manifestVersion": MANIFEST_VERSION,
            "version": metadata.version("paja"),
            "id": self.app_id,
            "developer": {
                "name": self.name,
                "websiteUrl": base + "/",
                "privacyUrl": self.privacy_url or base + "/",
                "termsOfUseUrl": self.terms_url or base + "/",
            },
            "name": {"short": self.name, "full": f"{self.name}: workshop boards for the meeting"},
            "description": {
                "short": "The workshop's board, timer and agenda in the Teams meeting.",
                "full": (
                    "Paja brings a facilitated workshop into the meeting: people in Teams join "
                    "from the side panel with their Teams name and add notes to the same board "
                    "as the people in the room, follow the timer and the agenda, answer polls, "
                    "and see the board on the meeting stage. No sign-in of its own."
                ),
            },
            "icons": {"color": "color.png", "outline": "outline.png"},
            "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
            "configurableTabs": [
                {
                    "configurationUrl": base + "/teams/config",
                    "canUpdateConfiguration": True,
                    "scopes": ["groupChat"],
                    "context": [
                        "meetingChatTab",
                        "meetingDetailsTab",
                        "meetingSidePanel",
                        "meetingStage",
                    ],
                    "meetingSurfaces": ["sidePanel", "stage"],
                }
            ],
            "validDomains": [str(urlsplit(base).hostname)],  # a domain: Teams takes no port
            # share to stage needs this; it is delegated: the user sharing grants it
            "authorization": {
                "permissions": {
                    "resourceSpecific": [{"name": "MeetingStage.Write.Chat", "type": "Delegated"}]
                }
            },
            "showLoadingIndicator": False,
        }

    def package(self) -> bytes:
        """The zip Teams takes: the manifest and the icons at its top level."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(self.manifest(), indent=2) + "\n")
            z.writestr("color.png", png(192, colour_mark))
            z.writestr("outline.png", png(32, outline_mark))
        return out.getvalue()

    def write(self, path: Path) -> None:
        path.write_bytes(self.package())


# ---- Paja's mark: a sticky note with a folded corner and two lines of writing ----------------
# Shapes are drawn in a unit square; each pixel averages a 4×4 grid of samples (anti-aliasing).

NOTE_LO, NOTE_HI, FOLD_SIZE = 0.2, 0.8, 0.2


def _on_note(x: float, y: float, inset: float = 0.0) -> bool:
    lo, hi = NOTE_LO + inset, NOTE_HI - inset
    cut = 2 * NOTE_HI - FOLD_SIZE - inset * 2**0.5  # the folded corner's edge: x + y = cut
    return lo <= x <= hi and lo <= y <= hi and x + y <= cut


def _on_fold(x: float, y: float) -> bool:
    corner = NOTE_HI - FOLD_SIZE
    return x >= corner and y >= corner and x + y <= 2 * NOTE_HI - FOLD_SIZE


def _on_lines(x: float, y: float) -> bool:
    return (0.33 <= x <= 0.67 and 0.35 <= y <= 0.42) or (0.33 <= x <= 0.55 and 0.48 <= y <= 0.55)


def colour_mark(x: float, y: float) -> Rgba:
    """The 192×192 colour icon: the note on Paja's accent blue, edge to edge."""
    if _on_fold(x, y):
        return (*FOLD, 255)
    if _on_note(x, y):
        return (*(ACCENT if _on_lines(x, y) else NOTE), 255)
    return (*ACCENT, 255)


def outline_mark(x: float, y: float) -> Rgba:
    """The 32×32 outline: white strokes of the note on transparency, as Teams asks."""
    stroke = 0.075
    ring = _on_note(x, y, -0.05) and not _on_note(x, y, -0.05 + stroke)
    if ring or _on_fold(x, y) or _on_lines(x, y):
        return (*WHITE, 255)
    return (0, 0, 0, 0)


def _pixel(paint: Painter, size: int, px: int, py: int, grid: int = 4) -> bytes:
    samples = [
        paint((px + (i + 0.5) / grid) / size, (py + (j + 0.5) / grid) / size)
        for i in range(grid)
        for j in range(grid)
    ]
    alpha = sum(s[3] for s in samples)
    if alpha == 0:
        return b"\0\0\0\0"
    # colour weighted by coverage, so edges fade to transparency without a dark fringe
    rgb = [round(sum(s[c] * s[3] for s in samples) / alpha) for c in range(3)]
    return bytes([*rgb, round(alpha / len(samples))])


def png(size: int, paint: Painter) -> bytes:
    """A square RGBA PNG, written with zlib: two icons do not need an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\0" + b"".join(_pixel(paint, size, x, y) for x in range(size)) for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
