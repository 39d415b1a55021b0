"""The bot client against a live server: `paja bot summary` prints the summary, posts it
into `control`, sends it to a Teams Workflows URL and to a signed webhook; `LiveBoard`
follows `control` live and read-only; the documented example bot runs."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pycrdt import Array, Map, Text

from paja_client import BoardClosed, LiveBoard, PajaClient, PajaError, SessionLink, parse_link
from server.webhooks import signing
from support.commands import Session
from support.processes import PAJA, ROOT, PajaServer, free_port
from support.webhooks import Receiver
from support.yclient import eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session

TITLE = "Spring retro"
NOTES = ("More pair work", "Shorter breaks", "Keep the Friday demos")
QUESTION = "Keep this format?"
SECRET = "receiver-shared-secret"
BOUND = 60  # seconds any one subprocess may take before the test gives up on it


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


async def run(*args: str, env: dict[str, str] | None = None) -> Run:
    """A command in its own process, with no token or secret from the caller's environment."""
    ambient = {
        k: v for k, v in os.environ.items() if k not in ("PAJA_TOKEN", "PAJA_WEBHOOK_SECRET")
    }
    process = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**ambient, **(env or {})},
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(process.communicate(), BOUND)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


async def bot(*args: str, env: dict[str, str] | None = None) -> Run:
    return await run(str(PAJA), "bot", "summary", *args, env=env)


async def scripted(server: PajaServer) -> Session:
    """A short retro: Pia writes three notes on main, and a poll was answered and closed."""
    s = Session.create(server, title=TITLE, language="en")
    pia = s.join("Pia")
    board = await s.open("main", pia["token"])
    notes = board.doc.get("notes", type=Map)
    for i, text in enumerate(NOTES):
        notes[f"n{i}"] = Map(
            {
                "text": Text(text),
                "x": 0,
                "y": 0,
                "color": "#fff59d",
                "section": None,
                "author": pia["participant_id"],
                "author_name": "Pia",
                "created_at": 1_000 + i,
            }
        )
    observer = await s.open("main", s.created["observer_token"])
    await eventually(lambda: len(observer.notes()) == len(NOTES), what="the notes on the server")
    poll = s.ok(
        "POST", "/polls", body={"kind": "choice", "question": QUESTION, "options": ["yes", "no"]}
    )
    s.ok("POST", f"/polls/{poll['id']}/answers", pia["token"], {"answer": "yes"})
    s.ok("POST", f"/polls/{poll['id']}/close")
    await s.close_all()
    return s


def link(s: Session) -> str:
    return f"{s.server.http}/s/{s.id}"


async def test_the_summary_is_printed_with_the_title_notes_and_poll(server: PajaServer) -> None:
    s = await scripted(server)
    printed = await bot(link(s), "--token", s.created["bot_token"])
    assert printed.code == 0, printed.err
    assert printed.out.startswith(f"# {TITLE}\n")
    assert all(text in printed.out for text in NOTES)
    assert QUESTION in printed.out and "yes: 1" in printed.out
    # The bot asks for the JSON once and renders the Markdown itself, exactly as the server.
    served = s.call("GET", "/summary?format=markdown", s.created["bot_token"])
    assert served.status_code == 200 and printed.out == served.text

    # The Lab display's link carries its token in the fragment; JSON in Swedish this time.
    as_json = await bot(s.created["display_url"], "--format", "json", "--language", "sv")
    assert as_json.code == 0, as_json.err
    summary = json.loads(as_json.out)
    assert summary["title"] == TITLE and summary["language"] == "sv"
    assert summary["join_code"] == s.created["join_code"]
    assert summary["counts"]["notes"] == len(NOTES)
    assert [p["question"] for p in summary["polls"]] == [QUESTION]

    # The token may come from the environment instead of the command line.
    from_env = await bot(link(s), env={"PAJA_TOKEN": s.created["bot_token"]})
    assert from_env.code == 0 and from_env.out == printed.out


async def test_a_posted_summary_appears_in_control_for_everyone(server: PajaServer) -> None:
    s = await scripted(server)
    async with (
        PajaClient(link(s), s.created["observer_token"]) as watcher,
        LiveBoard(watcher, "control") as control,
    ):
        assert control.array("summaries") == []
        posted = await bot(
            link(s), "--token", s.created["bot_token"], "--post", "--author", "Retro bot"
        )
        assert posted.code == 0, posted.err
        summaries = await control.wait_for(lambda board: board.array("summaries"), timeout=10)
    assert len(summaries) == 1
    entry = summaries[0]
    assert entry["author"] == "Retro bot" and entry["by"] == "bot"
    assert entry["markdown"] == posted.out
    assert all(text in entry["markdown"] for text in NOTES)
    # A participant's own client reads the same entry from `control`.
    participant = await s.open("control", s.join("Olli")["token"])
    assert participant.doc.get("summaries", type=Array).to_py()[0]["markdown"] == posted.out
    await s.close_all()


async def test_a_bot_token_flooding_summaries_leaves_control_bounded(server: PajaServer) -> None:
    """The issue's attack: 300 summaries of 20,000 characters from one bot token."""
    s = Session.create(server)
    control = await s.open("control", s.created["observer_token"])
    bot_token = s.created["bot_token"]
    statuses = []
    started = time.monotonic()
    with httpx.Client(timeout=10) as http:
        for n in range(300):
            answer = http.post(
                f"{server.http}/api/sessions/{s.id}/summaries",
                json={"author": "Flood", "markdown": f"{n:03d}" + "x" * 19_997},
                headers={"Authorization": f"Bearer {bot_token}"},
            )
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                assert int(answer.headers["Retry-After"]) >= 1
    # 10 at once by default, then one every six seconds as the minute's allowance refills
    posted = statuses.count(201)
    assert 10 <= posted <= 10 + int((time.monotonic() - started) / 6) + 1, posted
    assert posted + statuses.count(429) == 300
    await eventually(lambda: len(control.doc.get("summaries", type=Array)) == posted)
    assert len(control.doc.get_update()) < 20 * 20_000 + 50_000, "20 kept at most"
    await s.close_all()


async def test_a_session_keeps_only_its_newest_summaries(server_factory: type[PajaServer]) -> None:
    server = server_factory(
        args=[
            "--summaries-per-minute-per-session=1000",
            "--max-summaries-per-session=5",
            "--max-summary-bytes-per-session=70000",
        ]
    ).start()
    s = Session.create(server)
    control = await s.open("control", s.created["observer_token"])
    for n in range(40):
        s.ok("POST", "/summaries", body={"author": "A", "markdown": f"#{n} " + "y" * 19_990})

    def kept() -> list[str]:
        return [e["markdown"].split()[0] for e in control.doc.get("summaries", type=Array)]

    # 70,000 bytes hold three of these; the newest are the ones kept
    await eventually(lambda: kept() == ["#37", "#38", "#39"], what="the three newest")
    short = [
        s.ok("POST", "/summaries", body={"author": "A", "markdown": f"#{n}"}) for n in range(8)
    ]
    assert short[-1]["markdown"] == "#7"
    await eventually(lambda: kept() == ["#3", "#4", "#5", "#6", "#7"], what="five at most")
    await s.close_all()


async def test_the_summary_reaches_teams_and_a_signed_webhook(server: PajaServer) -> None:
    s = await scripted(server)
    token = s.created["bot_token"]
    receiver = Receiver(status=202)
    receiver.script("/fail?sig=xyz123", [500])
    url, received = receiver.url(""), receiver.requests
    try:
        sent = await bot(
            link(s),
            "--post",
            "--teams-webhook",
            url + "/teams",
            "--webhook",
            url + "/hook",
            env={"PAJA_TOKEN": token, "PAJA_WEBHOOK_SECRET": SECRET},
        )
        assert sent.code == 0, sent.err
        by_path = {r.path: r for r in received}
        assert sorted(by_path) == ["/hook", "/teams"]

        hook = by_path["/hook"]
        assert signing.verify(
            SECRET, hook.headers[signing.SIGNATURE_HEADER.lower()], hook.body, time.time()
        )
        assert not signing.verify(
            "another secret", hook.headers[signing.SIGNATURE_HEADER.lower()], hook.body, time.time()
        )
        event = json.loads(hook.body)
        assert event["type"] == "summary.posted" == hook.headers[signing.EVENT_HEADER.lower()]
        assert event["session"]["id"] == s.id and event["session"]["title"] == TITLE
        assert event["data"]["author"] == "Paja bot" and event["data"]["by"] == "bot"
        assert event["data"]["markdown"] == sent.out
        assert event["id"] == f"summary.posted:{event['data']['summary']}"
        assert event["session"]["url"] == s.created["join_url"]  # "Open board": the join page
        control = await s.open("control", s.created["observer_token"])
        assert [p["id"] for p in control.doc.get("summaries", type=Array).to_py()] == [
            event["data"]["summary"]
        ]
        await s.close_all()

        # Teams gets the same headers as from the server's outbox, unsigned.
        assert by_path["/teams"].headers[signing.EVENT_HEADER.lower()] == "summary.posted"
        assert signing.SIGNATURE_HEADER.lower() not in by_path["/teams"].headers
        teams = json.loads(by_path["/teams"].body)
        assert teams["type"] == "message" and len(teams["attachments"]) == 1
        card = teams["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        assert TITLE in json.dumps(card["content"], ensure_ascii=False)
        assert len(by_path["/teams"].body) <= 28_000
        for r in received:  # the session's token never leaves for a webhook
            assert token not in r.body.decode() and token not in json.dumps(r.headers)

        # A refusing receiver is a failure; its URL (often holding a signature) is not printed.
        refused = await bot(link(s), "--token", token, "--teams-webhook", url + "/fail?sig=xyz123")
        assert refused.code == 1 and "answered 500" in refused.err
        assert "xyz123" not in refused.err + refused.out
    finally:
        receiver.close()


async def test_refusals_exit_with_the_problem_and_never_show_the_token(
    server: PajaServer,
) -> None:
    s = Session.create(server, title=TITLE)
    wrong = "not-the-bot-token-" + "x" * 24
    detail = httpx.get(
        f"{server.http}/api/sessions/{s.id}/summary",
        headers={"Authorization": f"Bearer {wrong}"},
        timeout=10,
    ).json()["detail"]
    refused = await bot(link(s), "--token", wrong)
    assert refused.code == 1 and detail in refused.err
    assert wrong not in refused.out + refused.err

    participant = s.join("Pia")["token"]  # a real token of a role that may not read summaries
    not_allowed = await bot(link(s), "--token", participant, "--post")
    assert not_allowed.code == 1 and "bot" in not_allowed.err
    assert participant not in not_allowed.out + not_allowed.err

    no_token = await bot(link(s))
    assert no_token.code == 2 and "--token" in no_token.err
    unsigned = await bot(link(s), "--token", s.created["bot_token"], "--webhook", server.http)
    assert unsigned.code == 2 and "--secret" in unsigned.err
    not_a_session = await bot(server.http, "--token", s.created["bot_token"])
    assert not_a_session.code == 2


def test_session_links_are_read_as_paja_prints_them() -> None:
    assert parse_link("https://paja.example/s/Abc123#token=T0k") == SessionLink(
        "https://paja.example", "Abc123", "T0k"
    )
    assert parse_link("https://paja.example/d/Abc123#token=T0k").token == "T0k"
    # a participant link's join secret is not a token
    assert parse_link("https://paja.example/j/Abc123#join=J01n") == SessionLink(
        "https://paja.example", "Abc123", None
    )
    assert parse_link("https://example.org/paja/s/Abc123") == SessionLink(
        "https://example.org/paja", "Abc123", None
    )
    assert parse_link("wss://paja.example/ws/Abc123/main").base == "https://paja.example"
    assert parse_link("https://paja.example/").session_id is None
    with pytest.raises(ValueError):
        parse_link("paja.example/s/Abc123")
    with pytest.raises(ValueError):
        PajaClient("https://paja.example/s/Abc123")  # no token anywhere
    with pytest.raises(ValueError):
        PajaClient("https://paja.example", "T0k")  # no session


async def test_the_client_runs_commands_with_its_token(server: PajaServer) -> None:
    s = Session.create(server, title=TITLE)
    async with PajaClient(server.http + "/", s.facilitator, session_id=s.id) as facilitator:
        assert (await facilitator.session())["title"] == TITLE
        timer = await facilitator.command("POST", "/timers", {"duration_ms": 60_000})
        assert timer["state"] == "running"
        assert await facilitator.command("DELETE", f"/timers/{timer['id']}") is not None
        with pytest.raises(PajaError) as missing:
            await facilitator.command("POST", "/timers/nope/pause")
        assert missing.value.status == 404 and missing.value.problem["status"] == 404
    async with PajaClient(link(s), s.created["bot_token"]) as client:
        with pytest.raises(PajaError) as refused:
            await client.session()
        assert refused.value.status == 403 and "facilitator" in refused.value.detail
        assert s.created["bot_token"] not in repr(client)
    async with PajaClient(f"http://127.0.0.1:{free_port()}/s/{s.id}", "T0k") as nowhere:
        with pytest.raises(PajaError) as unreachable:
            await nowhere.summary()
        assert unreachable.value.status is None


def timer_in(board: LiveBoard, timer_id: str, state: str) -> dict[str, Any] | None:
    timer = board.map("timers").get(timer_id)
    return timer if timer and timer["state"] == state else None


async def test_a_live_board_follows_control_and_never_writes(server: PajaServer) -> None:
    s = Session.create(server, title=TITLE)
    async with (
        PajaClient(f"{server.http}/d/{s.id}#token={s.created['bot_token']}") as client,
        LiveBoard(client, "control") as control,
    ):
        assert control.map("session")["title"] == TITLE
        with pytest.raises(PajaError) as refused:
            await client.command("POST", "/timers", {"duration_ms": 1_000})
        assert refused.value.status == 403

        next_change = asyncio.create_task(control.changed(timeout=10))
        tid = s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "Pairs"})["id"]
        await next_change
        assert tid in control.map("timers")
        running = await control.wait_for(lambda b: timer_in(b, tid, "running"), timeout=10)
        assert running["label"] == "Pairs" and running["ends_at"] is not None
        s.ok("POST", f"/timers/{tid}/pause")
        paused = await control.wait_for(lambda b: timer_in(b, tid, "paused"), timeout=10)
        assert paused["ends_at"] is None and 0 < paused["remaining_ms"] <= 600_000

    # Even with a token that may write `main`, a LiveBoard sends nothing: its local edit
    # stays local while it keeps receiving what others write.
    async with (
        PajaClient(link(s), s.facilitator) as client,
        LiveBoard(client, "main") as main,
    ):
        main.doc.get("notes", type=Map)["forged"] = Map({"text": Text("never sent")})
        pia = await s.open("main", s.join("Pia")["token"])
        pia.doc.get("notes", type=Map)["real"] = Map({"text": Text("Written by Pia")})
        await main.wait_for(lambda b: "real" in b.map("notes"), timeout=10)
        fresh = await s.open("main", s.created["observer_token"])
        assert set(fresh.notes()) == {"real"}
        await s.close_all()


async def test_a_live_board_catches_up_after_the_server_restarts(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()
    s = Session.create(server, title=TITLE)
    async with (
        PajaClient(link(s), s.created["bot_token"]) as client,
        LiveBoard(client, "control") as control,
    ):
        server.stop()
        server.start()  # same port, same data: the board reconnects on its own
        timer = s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "After"})
        after = await control.wait_for(lambda b: b.map("timers").get(timer["id"]), timeout=30)
        assert after["label"] == "After"


async def test_a_live_board_refused_for_good_raises(server: PajaServer) -> None:
    s = Session.create(server, title=TITLE)
    async with PajaClient(link(s), "wrong-token") as stranger:
        with pytest.raises(BoardClosed) as bad_token:
            await LiveBoard(stranger, "control").__aenter__()
    assert bad_token.value.status == 4401 and "wrong-token" not in str(bad_token.value)
    async with PajaClient(link(s), s.created["bot_token"]) as client:
        with pytest.raises(BoardClosed) as no_board:
            await LiveBoard(client, "nowhere").__aenter__()
    assert no_board.value.status == 4404


async def test_the_timer_bot_example_posts_the_notes_when_a_timer_ends(
    server: PajaServer,
) -> None:
    s = await scripted(server)
    example = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "examples" / "timer_bot.py"),
        link(s),
        "--once",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PAJA_TOKEN": s.created["bot_token"]},
        cwd=ROOT,
    )
    try:
        assert example.stdout is not None
        ready = await asyncio.wait_for(example.stdout.readline(), BOUND)
        assert ready.decode().startswith(f"watching the timers of session {s.id}")
        s.ok("POST", "/timers", body={"duration_ms": 300, "label": "Brainstorm"})
        out, err = await asyncio.wait_for(example.communicate(), BOUND)
        assert example.returncode == 0, err.decode()
        assert "posted the notes" in out.decode()
    finally:
        if example.returncode is None:
            example.kill()
            await example.wait()
    control = await s.open("control", s.created["observer_token"])
    (posted,) = control.doc.get("summaries", type=Array).to_py()
    assert posted["author"] == "Timer bot" and posted["by"] == "bot"
    assert posted["markdown"].startswith("### Brainstorm: time is up")
    assert all(f"- {text}" in posted["markdown"] for text in NOTES)
    await s.close_all()
