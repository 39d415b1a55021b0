"""The Teams app package an admin uploads: `paja teams-app` run as users run it, the zip
unpacked, the manifest checked against the official Teams schema (from the
`@microsoft/app-manifest` npm package in tests/js) and the icons read back as Teams reads
them: sizes, a full-colour square, a white outline on transparency."""

from __future__ import annotations

import json
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import jsonschema

from server.process.teams_app import MANIFEST_VERSION
from support.processes import PAJA, ROOT

SCHEMA = (
    ROOT
    / "tests/js/node_modules/@microsoft/app-manifest/build/json-schemas/teams"
    / f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
BASE = "https://paja.example.fi"


def paja(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PAJA), *args], capture_output=True, text=True, timeout=60)


def pixels(data: bytes) -> tuple[int, int, list[list[tuple[int, ...]]]]:
    """Width, height and RGBA rows of a non-interlaced 8-bit RGBA PNG whose rows use no
    filter: what the package writes; anything else fails the asserts below."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour, interlace) == (8, 6, 0), "8-bit RGBA, not interlaced"
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = []
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0
        rows.append([tuple(line[1 + 4 * x : 5 + 4 * x]) for x in range(width)])
    return width, height, rows


def generate(tmp_path: Path, *extra: str) -> zipfile.ZipFile:
    out = tmp_path / "paja-teams.zip"
    done = paja("teams-app", "--base-url", BASE + "/", "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return zipfile.ZipFile(out)


def test_the_manifest_validates_against_the_teams_schema(tmp_path: Path) -> None:
    assert SCHEMA.exists(), "npm ci in tests/js installs @microsoft/app-manifest"
    schema = json.loads(SCHEMA.read_text())
    with generate(tmp_path) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(z.read("manifest.json"))
    # (not check_schema: the schema has ECMAScript patterns, \p{L}, that Python's re
    # lacks; none of them lies on this manifest's path)
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(manifest)]
    assert errors == []
    assert manifest["manifestVersion"] == MANIFEST_VERSION

    tab = manifest["configurableTabs"][0]
    assert tab["configurationUrl"] == BASE + "/teams/config"
    assert {"meetingChatTab", "meetingSidePanel", "meetingStage"} <= set(tab["context"])
    assert manifest["validDomains"] == ["paja.example.fi"]
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "MeetingStage.Write.Chat", "type": "Delegated"} in rsc
    assert manifest["developer"]["websiteUrl"] == BASE + "/"


def test_a_broken_manifest_fails_the_schema() -> None:
    """The check above can fail: a tab context Teams does not know is refused."""
    from server.process.teams_app import TeamsApp

    manifest = TeamsApp(BASE).manifest()
    manifest["configurableTabs"][0]["context"].append("meetingBackstage")
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid(manifest)


def test_the_icons_are_the_sizes_teams_asks_for(tmp_path: Path) -> None:
    with generate(tmp_path) as z:
        colour = pixels(z.read("color.png"))
        outline = pixels(z.read("outline.png"))
    width, height, rows = colour
    assert (width, height) == (192, 192)
    assert all(p[3] == 255 for row in rows for p in row), "the colour icon is opaque"
    assert len({p for row in rows for p in row}) > 3, "the mark is drawn on the background"

    width, height, rows = outline
    assert (width, height) == (32, 32)
    every = [p for row in rows for p in row]
    assert rows[0][0][3] == 0 and rows[31][31][3] == 0, "corners are transparent"
    assert sum(p[3] == 0 for p in every) > len(every) / 3
    drawn = [p for p in every if p[3] > 0]
    assert drawn and all(p[:3] == (255, 255, 255) for p in drawn), "only white strokes"


def test_the_same_deployment_keeps_its_app_id(tmp_path: Path) -> None:
    """An admin who uploads a new package upgrades the app rather than adding another."""
    with generate(tmp_path, "--name", "Työpaja") as z:
        first = json.loads(z.read("manifest.json"))
    (tmp_path / "again").mkdir()
    with generate(tmp_path / "again") as z:
        second = json.loads(z.read("manifest.json"))
    assert first["id"] == second["id"]
    assert first["name"]["short"] == "Työpaja"


def test_only_the_root_of_an_https_site_is_taken(tmp_path: Path) -> None:
    for url, said in (
        ("http://paja.example.fi", "https://"),
        ("https://example.fi/paja", "no path"),
    ):
        done = paja("teams-app", "--base-url", url, "--out", str(tmp_path / "x"))
        assert done.returncode == 2 and said in done.stderr
        assert not (tmp_path / "x").exists()
