"""A workshop leaves the server as a file and comes back as a new session: the JSON export
imported elsewhere holds every board as it was, open votes and polls included, with
tokens of its own; the CSV opens safely in a spreadsheet; the Markdown reads as the
summary; a broken or hostile import is refused and creates nothing."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import cmarkgfm
import httpx
import pytest
from markdown_it import MarkdownIt
from pycrdt import Array, Doc, Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import YClient, eventually

CONTROL_MAPS = (
    "session",
    "roster",
    "agenda",
    "timers",
    "breakouts",
    "notices",
    "votes",
    "polls",
    "boards",
)
HOSTILE = '=HYPERLINK("http://evil.example","click")'
AWKWARD = 'Coffee, "strong"\nand a second line'


def note(text: str, person: dict[str, Any], *, at: int, section: str | None) -> Map[Any]:
    """A note inside its section (every section here is at 0, 0), or right of them all:
    which section a note is in follows where it is (docs/schema.md)."""
    return note_map(
        text,
        author=person["participant_id"],
        author_name=person["name"],
        at=at,
        section=section,
        x=12.5 if section else 1012.5,
        y=-40,
    )


def content(client: YClient) -> dict[str, Any]:
    """Every top-level type a board or `control` holds, as plain data."""
    doc = client.doc
    if client.url.split("?")[0].endswith("/control"):
        found: dict[str, Any] = {name: doc.get(name, type=Map).to_py() for name in CONTROL_MAPS}
        found["summaries"] = doc.get("summaries", type=Array).to_py()
        return found
    return {name: doc.get(name, type=Map).to_py() for name in ("notes", "sections")}


async def workshop(server: PajaServer) -> tuple[Session, dict[str, Any], dict[str, Any]]:
    """Notes in sections on two boards and a breakout room, a revealed vote, a vote and a
    poll still open with ballots cast, a posted summary."""
    s = Session.create(server, "Retro: what next?", language="en")
    pia, olli = s.join("Pia"), s.join("Olli")
    s.ok("POST", "/boards", body={"name": "ideas", "title": "Ideas"})
    main = await s.open("main", pia["token"])
    with main.doc.transaction():
        main.doc.get("sections", type=Map)["s-well"] = Map(
            {"title": "Went well", "x": 0, "y": 0, "w": 300, "h": 300, "color": "#eee"}
        )
        notes = main.doc.get("notes", type=Map)
        notes["n-hostile"] = note(HOSTILE, pia, at=1, section="s-well")
        notes["n-coffee"] = note(AWKWARD, pia, at=2, section=None)
        notes["n-plan"] = note("Plan the pilot", pia, at=3, section="s-well")
    ideas = await s.open("ideas")
    ideas.doc.get("notes", type=Map)["i-1"] = note("Ask the users", olli, at=4, section=None)

    s.ok(
        "POST",
        "/breakouts",
        body={"strategy": "random", "rooms": 1, "duration_ms": 600_000, "closing_ms": 1_000},
    )
    s.ok("POST", "/breakouts/r1/open")
    room = await s.open("breakout-1", olli["token"])
    room.doc.get("notes", type=Map)["b-1"] = note("From the room", olli, at=5, section=None)

    observers = {b: await s.open(b, s.created["observer_token"]) for b in ("main", "ideas")}
    observers["breakout-1"] = await s.open("breakout-1", s.created["observer_token"])
    await eventually(
        lambda: (
            len(observers["main"].notes()) == 3
            and len(observers["ideas"].notes()) == 1
            and len(observers["breakout-1"].notes()) == 1
        ),
        what="every note reached the server",
    )

    revealed = s.ok("POST", "/votes", body={"board": "main", "per_participant": 2})
    s.ok("POST", f"/votes/{revealed['id']}/dots", pia["token"], {"note": "n-plan"})
    s.ok("POST", f"/votes/{revealed['id']}/dots", olli["token"], {"note": "n-plan"})
    s.ok("POST", f"/votes/{revealed['id']}/close")
    s.ok("POST", f"/votes/{revealed['id']}/reveal")
    still_open = s.ok("POST", "/votes", body={"board": "main", "per_participant": 1})
    s.ok("POST", f"/votes/{still_open['id']}/dots", olli["token"], {"note": "n-coffee"})
    poll = s.ok(
        "POST", "/polls", body={"kind": "choice", "question": "Next?", "options": ["A", "B"]}
    )
    s.ok("POST", f"/polls/{poll['id']}/answers", pia["token"], {"answer": "B"})
    s.ok("POST", "/summaries", body={"author": "Bot", "markdown": "# Done\nWe met."})
    return s, pia, {"open_vote": still_open["id"], "poll": poll["id"]}


async def contents(s: Session, token: str) -> dict[str, dict[str, Any]]:
    seen = {}
    for board in ("control", "main", "ideas", "breakout-1"):
        client = await s.open(board, token)
        seen[board] = content(client)
    return seen


@pytest.mark.parametrize(
    ("source", "target"), [("sqlite", "sqlite"), ("redis", "sqlite"), ("sqlite", "redis")]
)
async def test_an_exported_session_imported_elsewhere_has_every_board_as_it_was(
    server_factory: type[PajaServer], request: pytest.FixtureRequest, source: str, target: str
) -> None:
    """Export from one server and import into another, each on SQLite or on Redis."""

    def started(store: str) -> PajaServer:
        if store == "sqlite":
            return server_factory().start()
        redis_url = request.getfixturevalue("redis_server").url
        return server_factory(args=["--redis-url", redis_url]).start()

    first, second = started(source), started(target)
    s, pia, ids = await workshop(first)
    before = await contents(s, s.created["observer_token"])

    response = s.call("GET", "/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="paja-{s.id}.json"'
    exported = response.json()
    assert (exported["format"], exported["version"]) == ("paja-session", 1)
    assert exported["session"]["title"] == "Retro: what next?"
    assert set(exported["boards"]) == {"control", "main", "ideas", "breakout-1", "_ballots"}

    answer = httpx.post(f"{second.http}/api/sessions/import", json=exported, timeout=30)
    assert answer.status_code == 201, answer.text
    second.remember_secrets(answer.json())
    copy = Session(second, answer.json())
    assert copy.id != s.id and copy.created["title"] == "Retro: what next?"
    assert copy.created["language"] == "en"
    for key in ("facilitator_token", "observer_token", "bot_token", "join_secret"):
        assert copy.created[key] != s.created[key], f"{key} is new"
    assert copy.created["join_code"] != s.created["join_code"]

    after = await contents(copy, copy.created["observer_token"])
    assert after["control"]["session"].pop("join_code") == copy.created["join_code"]
    assert before["control"]["session"].pop("join_code") == s.created["join_code"]
    assert after == before, "every board and every map of control came back as it was"
    assert after["main"]["notes"]["n-hostile"]["text"] == HOSTILE
    assert len(after["control"]["roster"]) == 2 and after["control"]["summaries"]

    # Byte for byte: exporting the copy gives the same states (control differs only in
    # the join code it was given).
    again = copy.call("GET", "/export").json()
    assert {b: v for b, v in again["boards"].items() if b != "control"} == {
        b: v for b, v in exported["boards"].items() if b != "control"
    }

    # The ballots came along: the open vote goes on, and closing it counts Olli's dot.
    vote = ids["open_vote"]
    copy.ok("POST", f"/votes/{vote}/close")
    results = copy.ok("POST", f"/votes/{vote}/reveal")["results"]
    assert [(r["note"], r["dots"]) for r in results] == [("n-coffee", 1)]
    closed = copy.ok("POST", f"/polls/{ids['poll']}/close")
    assert closed["results"]["counts"] == {"A": 0, "B": 1}

    # The old tokens open nothing of the copy, and the copy's nothing of the original.
    assert copy.call("GET", "", token=s.facilitator).status_code == 401
    assert copy.call("GET", "", token=pia["token"]).status_code == 401
    assert s.call("GET", "", token=copy.facilitator).status_code == 401
    stale = await copy.open("main", s.facilitator, synced=False)
    assert await stale.wait_closed() == 4401
    await s.close_all()
    await copy.close_all()


async def test_the_notes_csv_is_safe_in_a_spreadsheet_and_the_markdown_is_the_summary(
    server: PajaServer,
) -> None:
    s, pia, _ = await workshop(server)

    response = s.call("GET", "/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == f'attachment; filename="paja-{s.id}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_note = {row["note"]: row for row in rows}
    assert set(by_note) == {"n-hostile", "n-coffee", "n-plan", "i-1", "b-1"}
    assert by_note["n-hostile"]["text"] == "'" + HOSTILE, "a formula is neutralised"
    assert by_note["n-coffee"]["text"] == AWKWARD, "commas, quotes and newlines survive"
    assert by_note["n-plan"]["section"] == "Went well" and by_note["n-coffee"]["section"] == ""
    assert (by_note["n-plan"]["board"], by_note["i-1"]["board"]) == ("main", "ideas")
    assert (by_note["n-plan"]["x"], by_note["n-plan"]["y"]) == ("12.5", "-40")
    assert by_note["n-plan"]["dots"] == "2" and by_note["n-hostile"]["dots"] == "0"
    assert by_note["i-1"]["dots"] == "", "no revealed vote counted the ideas board"
    assert {row["author_name"] for row in rows} == {""}, "no names until they are allowed"

    s.ok("PATCH", "", body={"summary_names": True})
    named = list(csv.DictReader(io.StringIO(s.call("GET", "/export?format=csv").text)))
    assert {row["note"]: row["author_name"] for row in named}["n-plan"] == "Pia"

    markdown = s.call("GET", "/export?format=markdown", token=s.created["bot_token"])
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "Retro: what next?" in markdown.text
    assert "Plan the pilot" in markdown.text and "Ask the users" in markdown.text

    assert s.call("GET", "/export?format=xml").status_code == 422
    assert s.call("GET", "/export", token=pia["token"]).status_code == 403
    await s.close_all()


BARE_LINKS = "Log in at https://evil.example/login, //evil.example/x or www.evil-login.com"


async def test_bare_addresses_in_notes_link_nowhere_in_the_markdown(server: PajaServer) -> None:
    """The export and the summary are read in renderers that link bare addresses: GitHub's
    (GFM autolinks, by cmark-gfm itself) and markdown-it with linkify. Neither makes a
    link of an address someone wrote in a note, a section title or a room."""
    s, pia, _ = await workshop(server)
    main = await s.open("main", pia["token"])
    main.doc.get("notes", type=Map)["n-links"] = note(BARE_LINKS, pia, at=9, section="s-well")
    watcher = await s.open("main")
    await eventually(lambda: "n-links" in watcher.notes(), what="the note is stored")

    linkify = MarkdownIt("commonmark", {"linkify": True}).enable("linkify")
    exported = s.call("GET", "/export?format=markdown").text
    summarised = s.call("GET", "/summary?format=markdown", token=s.created["bot_token"]).text
    for markdown in (exported, summarised):
        assert "Plan the pilot" in markdown
        for html in (linkify.render(markdown), cmarkgfm.github_flavored_markdown_to_html(markdown)):
            assert "<a " not in html, html
            assert "https://evil.example/login" in html and "www.evil-login.com" in html
            assert "http://evil.example" in html, "the formula note's address, as text"
    await s.close_all()


async def test_only_a_facilitator_takes_the_ballots_home_in_a_json_export(
    server: PajaServer,
) -> None:
    """The JSON export holds who gave which dot, anonymous votes included: a bot or the
    Lab display may take the Markdown and the CSV, never the JSON."""
    s = Session.create(server, "Anonymous retro", language="en")
    pia = s.join("Pia")
    board = await s.open("main", pia["token"])
    board.doc.get("notes", type=Map)["n-1"] = note("Fewer meetings", pia, at=1, section=None)
    lab = await s.open("main", s.created["observer_token"])
    await eventually(lambda: "n-1" in lab.notes(), what="the note reached the server")
    vote = s.ok("POST", "/votes", body={"board": "main", "per_participant": 1, "anonymous": True})
    s.ok("POST", f"/votes/{vote['id']}/dots", pia["token"], {"note": "n-1"})

    for role in ("bot_token", "observer_token"):
        token = s.created[role]
        for path in ("/export", "/export?format=json"):
            refused = s.call("GET", path, token=token)
            assert refused.status_code == 403, (role, path)
            assert refused.headers["content-type"] == "application/problem+json"
            assert "facilitator" in refused.json()["detail"]
            assert pia["participant_id"] not in refused.text
        markdown = s.call("GET", "/export?format=markdown", token=token)
        assert markdown.status_code == 200, role
        assert "Anonymous retro" in markdown.text and "Fewer meetings" in markdown.text
        rows = list(
            csv.DictReader(io.StringIO(s.call("GET", "/export?format=csv", token=token).text))
        )
        assert [(row["note"], row["dots"]) for row in rows] == [("n-1", "")], "not revealed"

    exported = s.ok("GET", "/export?format=json")
    ballots = Doc()
    ballots.apply_update(base64.b64decode(exported["boards"]["_ballots"]))
    assert f"{vote['id']}/{pia['participant_id']}" in ballots.get("ballots", type=Map).keys()
    await s.close_all()


def stored_sessions(server: PajaServer) -> int:
    path = Path(server.data_dir) / "paja.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM sessions").fetchone()[0])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_a_broken_or_hostile_import_is_refused_and_creates_nothing(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-boards-per-session", "4"]).start()
    s = Session.create(server, "Original")
    good = s.call("GET", "/export").json()
    control = good["boards"]["control"]

    def changed(**parts: Any) -> dict[str, Any]:
        return {**good, **parts}

    unreadable = Doc()  # a control no server wrote: a running timer that never ends
    unreadable.get("timers", type=Map)["t"] = {"state": "running", "ends_at": "soon"}

    refused = {
        "another format": changed(format="miro-board"),
        "a newer version": changed(version=2),
        "no title": changed(session={"template": None}),
        "no control": changed(boards={"main": good["boards"]["main"]}),
        "not base64": changed(boards={"control": "%%% not base64 %%%"}),
        "not a Yjs state": changed(boards={"control": control, "main": b64(b"garbage" * 5)}),
        "a bad board name": changed(boards={"control": control, "Bad Name!": control}),
        "an unreachable name": changed(boards={"control": control, "_secret": control}),
        "an unreadable control": changed(boards={"control": b64(unreadable.get_update())}),
        "too many boards": changed(
            boards={"control": control, **{f"b-{i}": good["boards"]["main"] for i in range(5)}}
        ),
    }
    before = stored_sessions(server)
    url = f"{server.http}/api/sessions/import"
    for why, body in refused.items():
        response = httpx.post(url, json=body, timeout=10)
        assert response.status_code == 422, (why, response.text)
        assert response.headers["content-type"] == "application/problem+json", why

    huge = json.dumps(changed(padding="x" * (33 * 1024 * 1024)))
    too_big = httpx.post(
        url, content=huge, headers={"content-type": "application/json"}, timeout=60
    )
    assert too_big.status_code == 413
    assert (
        httpx.post(url, content=b"{", headers={"content-type": "application/json"}).status_code
        == 400
    )
    assert stored_sessions(server) == before, "nothing was written"

    keyed = server_factory(args=["--create-key", "k" * 24]).start()
    assert httpx.post(f"{keyed.http}/api/sessions/import", json=good).status_code == 401
    with_key = httpx.post(
        f"{keyed.http}/api/sessions/import",
        json=good,
        headers={"Authorization": "Bearer " + "k" * 24},
        timeout=10,
    )
    assert with_key.status_code == 201
    keyed.remember_secrets(with_key.json())


async def test_imports_count_against_the_creation_rate(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--sessions-per-hour-per-address", "2"]).start()
    s = Session.create(server, "One")
    exported = s.call("GET", "/export").json()
    url = f"{server.http}/api/sessions/import"
    first = httpx.post(url, json=exported, timeout=10)
    assert first.status_code == 201
    server.remember_secrets(first.json())
    limited = httpx.post(url, json=exported, timeout=10)
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def large_board(notes: int, text_bytes: int) -> bytes:
    """A board of many notes, as a client would have written it, as one Yjs state."""
    doc = Doc()
    table = doc.get("notes", type=Map)
    with doc.transaction():
        for n in range(notes):
            table[f"n{n}"] = note_map(f"{n} " + "z" * text_bytes, author="p", author_name="P", at=n)
    return doc.get_update()


async def test_an_oversized_import_is_refused_and_creates_nothing(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(
        args=["--max-import-bytes", str(2 * 1024 * 1024), "--max-import-boards", "3"]
    ).start()
    good = Session.create(server, "Original").call("GET", "/export").json()
    before = stored_sessions(server)
    url = f"{server.http}/api/sessions/import"
    board = b64(large_board(1_200, 1_000))  # 1.2 MB of notes: 1.6 MB as base64
    bigger = {**good, "boards": {**good["boards"], "main": board, "ideas": board}}
    refused = httpx.post(url, json=bigger, timeout=30)
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    boards = {f"b-{n}": good["boards"]["main"] for n in range(3)}
    many = {**good, "boards": {**good["boards"], **boards}}
    too_many = httpx.post(url, json=many, timeout=10)
    assert too_many.status_code == 413 and "at most 3 boards" in too_many.json()["detail"]
    assert stored_sessions(server) == before, "nothing was created"
    allowed = httpx.post(url, json={**good, "boards": {**good["boards"], "main": board}})
    assert allowed.status_code == 201, allowed.text
    server.remember_secrets(allowed.json())


async def test_other_requests_are_answered_while_a_large_import_is_stored(
    server: PajaServer,
) -> None:
    """An import's boards are decoded in a worker process and stored as they are: requests
    sent while it runs are answered as it goes, none held for a large part of it (as one
    board applied on the event loop, or decoded under the GIL, would hold them all)."""
    good = Session.create(server, "Original").call("GET", "/export").json()
    wall = Doc()  # 100,000 sections: some 7 MB, which takes pycrdt a while to decode
    with wall.transaction():
        sections = wall.get("sections", type=Map)
        for n in range(100_000):
            sections[f"s{n}"] = {"title": "t", "x": n, "y": 0, "w": 10, "h": 10, "color": "#eee"}
    body = {**good, "boards": {**good["boards"], "wall": b64(wall.get_update())}}
    url = f"{server.http}/api/sessions/import"
    imported = asyncio.create_task(asyncio.to_thread(httpx.post, url, json=body, timeout=120))
    waits: list[float] = []
    async with httpx.AsyncClient(timeout=120) as http:
        while not imported.done():
            sent = time.monotonic()
            assert (await http.get(f"{server.http}/healthz")).status_code == 200
            waits.append(time.monotonic() - sent)
    answer = await imported
    assert answer.status_code == 201, answer.text
    server.remember_secrets(answer.json())
    took = sum(waits)
    assert len(waits) > 10, "requests were answered while the import ran"
    assert max(waits) < took / 4, (max(waits), took)
    copy = Session(server, answer.json())
    assert len((await copy.open("wall")).doc.get("sections", type=Map)) == 100_000
    await copy.close_all()
