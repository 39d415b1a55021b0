"""Private writing, then reveal: each person's notes reach only their own sockets until
the facilitator reveals them, the facilitator counts but never reads them, and the
reveal puts them on the shared board as ordinary notes, named or not."""

from __future__ import annotations

import secrets
from typing import Any

from pycrdt import Map, Text

from support.commands import Session, section, write_probe
from support.nodeclient import NodeClient
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.sqlite import database_bytes
from support.yclient import YClient, eventually


def private_board(writing: dict[str, Any], person: dict[str, Any]) -> str:
    return f"private-{writing['id']}-{person['participant_id'].lower()}"


def write(client: YClient, note_id: str, text: str, **fields: Any) -> None:
    note = {"x": 0, "y": 0, "color": "#fff59d", "created_at": 1, **fields}
    client.doc.get("notes", type=Map)[note_id] = Map({**note, "text": Text(text)})


def texts(client: YClient) -> set[str]:
    return {str(n["text"]) for n in client.notes().values() if isinstance(n, dict)}


async def refused(s: Session, board: str, token: str) -> int | None:
    client = await s.open(board, token, synced=False)
    await eventually(lambda: client.synced.is_set() or client.closed.is_set())
    return client.close_code if client.closed.is_set() else None


async def test_private_notes_reach_their_writer_alone_until_the_reveal(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    ann, ben = s.join("Ann"), s.join("Ben")
    writing = s.ok("POST", "/private", body={"board": "main"})
    assert writing["state"] == "open" and writing["board"] == "main"
    main_of_ben = await s.open("main", ben["token"])
    main_of_facilitator = await s.open("main")
    secret = f"ann-secret-{secrets.token_hex(4)}"
    mine = await s.open(private_board(writing, ann), ann["token"])
    write(mine, "n1", secret)
    write(mine, "n2", "ann second")
    await eventually(lambda: s.ok("GET", "/private")["total"] == 2, what="counted")

    # Nobody else opens Ann's board: not Ben, not the facilitator, not the display.
    for token in (ben["token"], s.facilitator, s.created["observer_token"]):
        assert await refused(s, private_board(writing, ann), token) == 4403
    # Nor a board of hers under another writing's id, nor a private board that was never one.
    assert await refused(s, f"private-w9-{ann['participant_id'].lower()}", ann["token"]) == 4403
    counts = s.call("GET", "/private")
    assert secret not in counts.text and "ann second" not in counts.text
    people = {p["name"]: p["notes"] for p in counts.json()["people"]}
    assert people == {"Ann": 2, "Ben": 0}
    assert secret not in texts(main_of_ben) | texts(main_of_facilitator)
    for form in ("json", "csv", "markdown"):
        exported = s.call("GET", f"/export?format={form}")
        assert exported.status_code == 200 and secret not in exported.text, form

    # A reload sees them again; editing and deleting before the reveal is the writer's.
    await mine.close()
    again = await s.open(private_board(writing, ann), ann["token"])
    assert texts(again) == {secret, "ann second"}
    again.doc.get("notes", type=Map).pop("n2")
    await eventually(lambda: s.ok("GET", "/private")["total"] == 1, what="deleted")

    revealed = s.ok("POST", "/private/reveal", body={"anonymous": False})
    assert revealed["revealed"] == 1 and revealed["writing"]["state"] == "revealed"
    assert await again.wait_closed() == 4403, "the private board closes at the reveal"
    await eventually(lambda: secret in texts(main_of_ben), what="revealed to Ben")
    note = next(n for n in main_of_ben.notes().values() if str(n["text"]) == secret)
    assert note["author"] == ann["participant_id"] and note["author_name"] == "Ann"
    assert note["section"] == revealed["section"]
    assert revealed["section"] in section(main_of_ben, "sections")
    assert "ann second" not in texts(main_of_ben), "a note deleted before the reveal stays gone"
    assert await refused(s, private_board(writing, ann), ann["token"]) == 4403
    assert s.ok("GET", "/private")["people"] == []
    await s.close_all()


async def test_the_shared_history_holds_nothing_private_before_the_reveal(
    server: PajaServer,
) -> None:
    """The shared board's whole state (its history included) and what is stored of it
    never carry a private note: only the writer's own board does."""
    s = Session.create(server)
    ann = s.join("Ann")
    writing = s.ok("POST", "/private", body={})
    secret = f"hidden-{secrets.token_hex(6)}"
    mine = await s.open(private_board(writing, ann), ann["token"])
    write(mine, "n1", secret)
    db = server.data_dir / "paja.sqlite3"
    await eventually(lambda: secret.encode() in database_bytes(db), what="stored privately")
    main = await s.open("main")
    exported = s.ok("GET", "/export")
    assert set(exported["boards"]) == {"control", "main"}, "no private board is exported"
    assert secret.encode() not in main.doc.get_update()

    s.ok("DELETE", "/private")  # discarded: the notes go nowhere
    assert await mine.wait_closed() == 4403
    assert secret not in texts(main)
    # A session deleted for good takes its private boards with it.
    assert s.call("DELETE", "").status_code == 204
    assert secret.encode() not in database_bytes(db)
    await s.close_all()


async def test_an_anonymous_reveal_names_nobody_and_lands_in_the_chosen_section(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    people = [s.join(name) for name in ("Ann", "Ben", "Cid")]
    main = await s.open("main")
    main.doc.get("sections", type=Map)["sec"] = Map(
        {"title": "Ideas", "x": 1000, "y": 0, "w": 420, "h": 200, "color": "yellow"}
    )
    await eventually(lambda: "sec" in section(main, "sections"))
    writing = s.ok("POST", "/private", body={"board": "main", "section": "sec"})
    for n, person in enumerate(people):
        board = await s.open(private_board(writing, person), person["token"])
        for i in range(3):
            write(board, f"{n}-{i}", f"{person['name']} idea {i}")
    await eventually(lambda: s.ok("GET", "/private")["total"] == 9, what="all written")
    revealed = s.ok("POST", "/private/reveal", body={"anonymous": True})
    assert revealed["revealed"] == 9 and revealed["section"] == "sec"
    await eventually(lambda: len(main.notes()) == 9, what="revealed")
    for note in main.notes().values():
        assert note["author"] == "" and note["author_name"] == ""
        assert note["section"] == "sec" and note["x"] >= 1000
    assert section(main, "sections")["sec"]["h"] > 200, "the section grew to hold them"
    await s.close_all()


async def test_participants_only_read_the_shared_board_while_writing_privately(
    server: PajaServer,
) -> None:
    """So that nothing a participant writes for the exercise lands in public by mistake."""
    s = Session.create(server)
    ann = s.join("Ann")
    main = await s.open("main", ann["token"])
    facilitator = await s.open("main")
    assert await write_probe(main, "before")
    s.ok("POST", "/private", body={})
    assert not await write_probe(main, "during"), "the shared board is read-only for her"
    assert await write_probe(facilitator, "facilitator-during")
    s.ok("POST", "/private/reveal", body={})
    assert await write_probe(main, "after")
    await s.close_all()


async def test_the_commands_refuse_what_they_cannot_do(server: PajaServer) -> None:
    s = Session.create(server)
    ann = s.join("Ann")
    for method, path, body in (
        ("POST", "/private", {}),
        ("GET", "/private", None),
        ("POST", "/private/reveal", {}),
        ("DELETE", "/private", None),
    ):
        assert s.call(method, path, ann["token"], body).status_code == 403, (method, path)
    not_on = s.call("POST", "/private/reveal", body={})
    assert not_on.status_code == 404 and not_on.json()["code"] == "private_not_open"
    assert s.call("DELETE", "/private").json()["code"] == "private_not_open"
    assert s.call("POST", "/private", body={"board": "nope"}).status_code == 404
    long_section = {"board": "main", "section": "x" * 101}
    assert s.call("POST", "/private", body=long_section).status_code == 422
    assert s.call("POST", "/private", body={"board": 5}).status_code == 422
    kept = s.call("POST", "/boards", body={"name": "private-w1-abc"})
    assert kept.status_code == 422, "private board names are not for boards"
    s.ok("POST", "/private", body={})
    again = s.call("POST", "/private", body={})
    assert again.status_code == 409 and again.json()["code"] == "private_open"
    assert again.headers["content-type"].startswith("application/problem+json")
    await s.close_all()


async def test_a_private_board_holds_a_bounded_number_of_notes(server: PajaServer) -> None:
    s = Session.create(server)
    ann = s.join("Ann")
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, ann), ann["token"])
    for i in range(101):
        write(mine, f"n{i}", f"note {i}")
    await eventually(lambda: s.ok("GET", "/private")["total"] == 101, what="the 101st stored")
    write(mine, "over", "one more")  # the board is full now: this one is dropped
    await eventually(lambda: bool(mine.auth_messages), what="told the board is full")
    assert b"more than 100 notes" in mine.auth_messages[0]
    assert s.ok("GET", "/private")["total"] == 101
    await s.close_all()


async def test_a_stock_yjs_client_cannot_open_another_persons_private_board(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    ann, ben = s.join("Ann"), s.join("Ben")
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, ann), ann["token"])
    write(mine, "n1", "for Ann's eyes")
    await eventually(lambda: s.ok("GET", "/private")["total"] == 1)
    base = f"{server.ws}/ws/{s.id}"
    stock = await NodeClient(base, private_board(writing, ann), ben["token"]).start(
        wait_synced=False
    )
    try:
        await eventually(lambda: any(e["event"] == "close" for e in stock.events), what="closed")
        assert {"event": "close", "code": 4403} in stock.events
        assert not stock.synced.is_set(), "never synced"
        assert (await stock.snapshot())["notes"] == {}
    finally:
        await stock.close()
    await s.close_all()


async def test_in_a_deployment_the_reveal_through_another_instance_takes_every_note(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    """Ann writes through one instance; the facilitator counts and reveals through the
    other, whose private-board reads come from the shared store; Ann's socket there
    closes when the writing ends."""
    here, there = deployment(server_factory, redis_server, 2, ttl_seconds=5)
    s = Session(here, here.create_session())
    ann, ben = s.join("Ann"), s.join("Ben")
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, ann), ann["token"])
    for i in range(5):
        write(mine, f"n{i}", f"ann note {i}")
    elsewhere = Session(there, s.created)
    assert await refused(elsewhere, private_board(writing, ann), ben["token"]) == 4403
    await eventually(lambda: elsewhere.ok("GET", "/private")["total"] == 5, what="counted")
    main = await elsewhere.open("main", ben["token"])
    assert elsewhere.ok("POST", "/private/reveal", body={})["revealed"] == 5
    assert await mine.wait_closed(10) == 4403
    await eventually(lambda: len(texts(main)) == 5, what="revealed through the other instance")
    await s.close_all()
    await elsewhere.close_all()


async def test_a_reveal_through_another_instance_takes_notes_written_a_moment_before(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    """Ann's last notes are on her instance's copy of her board, not yet stored (a store
    write every 500 ms here) when the reveal comes through the other instance: it waits
    for them instead of revealing what the store held and then emptying her board."""
    here, there = deployment(
        server_factory, redis_server, 2, ttl_seconds=5, args=["--flush-interval-ms", "500"]
    )
    s = Session(here, here.create_session())
    ann = s.join("Ann")
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, ann), ann["token"])
    echo = await s.open(private_board(writing, ann), ann["token"])
    for i in range(5):
        write(mine, f"n{i}", f"ann note {i}")
    await eventually(lambda: len(texts(echo)) == 5, what="her instance applied every note")
    elsewhere = Session(there, s.created)
    assert elsewhere.ok("POST", "/private/reveal", body={})["revealed"] == 5
    main = await elsewhere.open("main", s.created["facilitator_token"])
    assert texts(main) == {f"ann note {i}" for i in range(5)}
    await s.close_all()
    await elsewhere.close_all()


async def test_a_shared_board_without_room_keeps_the_writing_on(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-notes-per-board", "3"]).start()
    s = Session.create(server)
    ann = s.join("Ann")
    main = await s.open("main")
    write(main, "old", "already here")
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, ann), ann["token"])
    for i in range(3):
        write(mine, f"n{i}", f"ann note {i}")
    await eventually(lambda: s.ok("GET", "/private")["total"] == 3, what="written")
    full = s.call("POST", "/private/reveal", body={})
    assert full.status_code == 409 and full.json()["reason"] == "board_full", full.text
    after = s.ok("GET", "/private")
    assert after["writing"]["state"] == "open" and after["total"] == 3, "nothing was lost"
    assert texts(main) == {"already here"}
    await s.close_all()


async def test_counts_load_no_private_board_and_survive_a_restart(
    server_factory: type[PajaServer],
) -> None:
    """The facilitator's panel polls the counts every 2 s: they are stored tallies, so a
    poll loads none of the private boards (most of them empty), and a restarted server
    still has them."""
    server = server_factory().start()
    s = Session.create(server)
    people = [s.join(f"P{i}") for i in range(30)]
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, people[0]), people[0]["token"])
    write(mine, "n1", "one")
    write(mine, "n2", "two")
    loaded = server.metric("paja_loaded_documents")  # control and her board
    await eventually(lambda: s.ok("GET", "/private")["total"] == 2, what="counted")
    assert server.metric("paja_loaded_documents") <= loaded, "a poll loaded private boards"
    await s.close_all()

    assert server.terminate()
    server.start()
    counts = s.ok("GET", "/private")
    assert {p["name"]: p["notes"] for p in counts["people"]}["P0"] == 2
    assert counts["total"] == 2
    assert server.metric("paja_loaded_documents") <= 1, "only control is loaded"


async def test_counts_agree_across_instances_without_loading_boards(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    here, there = deployment(server_factory, redis_server, 2, ttl_seconds=5)
    s = Session(here, here.create_session())
    ann = s.join("Ann")
    for i in range(20):
        s.join(f"P{i}")
    writing = s.ok("POST", "/private", body={})
    mine = await s.open(private_board(writing, ann), ann["token"])
    for i in range(3):
        write(mine, f"n{i}", f"ann note {i}")
    elsewhere = Session(there, s.created)
    await eventually(lambda: elsewhere.ok("GET", "/private")["total"] == 3, what="counted")
    assert there.metric("paja_loaded_documents") <= 1, "only control is loaded there"
    mine.doc.get("notes", type=Map).pop("n0")
    await eventually(lambda: elsewhere.ok("GET", "/private")["total"] == 2, what="deleted")
    assert there.metric("paja_loaded_documents") <= 1, "only control is loaded there"
    await s.close_all()
