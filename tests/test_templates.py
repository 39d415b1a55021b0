"""Templates that carry the method: boards with pre-drawn sections, agenda items with steps
the facilitator runs with one click, saving a session as a template, and the template
file's schema with its refusals (docs/templates.md)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from pycrdt import Map

from server.store.redis import RedisStore
from server.store.sqlite import SQLiteStore
from server.store.templates import StoredTemplate
from support.commands import Session, current_round, section
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.yclient import eventually

TEMPLATES = Path(__file__).resolve().parents[1] / "rooms" / "templates"


def sections_of(client: Any) -> dict[str, dict[str, Any]]:
    return dict(client.doc.get("sections", type=Map).to_py() or {})


async def test_the_five_phase_template_draws_its_sections_on_its_boards(
    server: PajaServer,
) -> None:
    s = Session.create(server, "Polku", template="development-path", language="fi")
    mapped = sections_of(await s.open("map"))
    assert {v["title"] for v in mapped.values()} == {"Mitä tiedämme", "Mitä haluamme tietää"}
    assert mapped["known"]["titles"]["sv"] == "Vad vet vi"

    experiment = sections_of(await s.open("experiment"))
    grid = ["quick-wins", "big-bets", "small-tweaks", "time-sinks"]
    assert experiment["quick-wins"]["title"] == "Suuri vaikutus, pieni vaiva"
    # the 2x2 grid: two columns and two rows of equal quadrants
    assert sorted({experiment[q]["x"] for q in grid}) == [0, 440]
    assert sorted({experiment[q]["y"] for q in grid}) == [0, 340]
    canvas = experiment["experiment-canvas"]
    assert canvas["title"] == "Kokeilu"
    fields = [k for k in experiment if k.startswith("canvas-")]
    assert len(fields) == 6
    for name in fields:  # every field of the canvas lies inside it
        field = experiment[name]
        assert canvas["x"] <= field["x"] and field["x"] + field["w"] <= canvas["x"] + canvas["w"]
        assert canvas["y"] <= field["y"] and field["y"] + field["h"] <= canvas["y"] + canvas["h"]

    control = await s.open("control")
    items = section(control, "agenda")["items"]
    steps = {item["board"]: item["steps"] for item in items if item["steps"]}
    assert steps["map"] == [
        {
            "kind": "breakout",
            "strategy": "random",
            "group_size": 4,
            "rooms": None,
            "key": None,
            "minutes": 20,
        }
    ]
    assert steps["experiment"][0]["section"] == "quick-wins"
    assert any(step["kind"] == "feedback_polls" for item in items for step in item["steps"])

    trio = Session.create(server, "Trio", template="peer-mentoring-trio", language="en")
    cases = sections_of(await trio.open("cases"))
    assert [cases[k]["title"].split(" – ")[0] for k in ("teller", "questioner", "observer")] == [
        "Teller",
        "Questioner",
        "Observer",
    ]
    assert cases["question-round"]["titles"]["fi"].startswith("Kysymyskierros")
    await s.close_all()
    await trio.close_all()


async def test_agenda_steps_open_the_round_the_vote_and_the_polls_once(
    server: PajaServer,
) -> None:
    s = Session.create(server, "Polku", template="development-path", language="sv")
    for n in range(8):
        s.join(f"P{n}")
    control = await s.open("control")
    items = {item["board"]: item for item in section(control, "agenda")["items"]}

    run = s.ok("POST", f"/agenda/{items['map']['id']}/steps/0/run")
    assert run["kind"] == "breakout" and run["round"]
    await eventually(lambda: (current_round(control) or {}).get("state") == "open")
    opened = current_round(control) or {}
    assert [len(room["members"]) for room in opened["rooms"]] == [4, 4]
    assert opened["duration_ms"] == 20 * 60_000
    again = s.call("POST", f"/agenda/{items['map']['id']}/steps/0/run")
    assert again.status_code == 409, "a step runs once"

    vote = s.ok("POST", f"/agenda/{items['experiment']['id']}/steps/0/run")
    shown = section(control, "votes")
    await eventually(lambda: vote["vote"] in section(control, "votes"))
    shown = section(control, "votes")[vote["vote"]]
    assert (shown["board"], shown["section"], shown["title"]) == (
        "experiment",
        "quick-wins",
        "Vad testar vi?",
    )

    feedback = next(i for i in section(control, "agenda")["items"] if i["board"] is None)
    polls = s.ok("POST", f"/agenda/{feedback['id']}/steps/0/run")["polls"]
    await eventually(lambda: set(polls) <= set(section(control, "polls")))
    assert sorted(section(control, "polls")[p]["preset"] for p in polls) == ["heard", "use"]
    assert set(section(control, "agenda")["ran"]) == {
        f"{items['map']['id']}/0",
        f"{items['experiment']['id']}/0",
        f"{feedback['id']}/0",
    }
    missing = s.call("POST", f"/agenda/{feedback['id']}/steps/5/run")
    assert missing.status_code == 404
    await s.close_all()


async def test_a_saved_template_recreates_the_sessions_structure(server: PajaServer) -> None:
    s = Session.create(server, "Oma", template="development-path", language="en")
    # the facilitator changes the structure: a section of their own on main and on map,
    # an agenda with a step of its own
    main = await s.open("main")
    main.doc.get("sections", type=Map)["ideas"] = Map(
        {"title": "Ideas", "x": 10, "y": 20, "w": 500, "h": 300, "color": "yellow"}
    )
    mapped = await s.open("map")
    mapped.doc.get("sections", type=Map)["risks"] = Map(
        {"title": "Risks", "x": 0, "y": 700, "w": 400, "h": 300}
    )
    agenda = s.ok("GET", "")  # the session exists
    assert agenda["template"] == "development-path"
    control = await s.open("control")
    # numbers as a browser sends them (pycrdt reads every number as a float)
    items = json.loads(
        json.dumps(section(control, "agenda")["items"]),
        parse_float=lambda text: int(float(text)),
    )
    items[1]["steps"] = [{"kind": "breakout", "strategy": "random", "rooms": 3, "minutes": 7}]
    s.ok("PUT", "/agenda", body={"items": items})

    async def drawn(session: Session, board: str) -> dict[str, Any]:
        """The sections as the client draws them: one without a colour is grey."""
        client = await session.open(board)
        return {
            k: {
                **{f: v.get(f) for f in ("title", "x", "y", "w", "h")},
                "color": v.get("color", "grey"),
            }
            for k, v in sections_of(client).items()
        }

    await eventually(lambda: "ideas" in sections_of(main) and "risks" in sections_of(mapped))
    await eventually(lambda: bool(section(control, "agenda")["items"][1]["steps"]))
    saved = s.ok("POST", "/template", body={"titles": {"fi": "Oma", "sv": "Egen", "en": "Own"}})
    assert saved["id"].startswith("saved-")
    listed = httpx.get(server.http + "/api/templates").json()
    assert {"id": saved["id"], "saved": True}.items() <= next(
        t for t in listed if t["id"] == saved["id"]
    ).items()
    downloaded = httpx.get(f"{server.http}/api/templates/{saved['id']}").json()
    assert downloaded == saved["template"]

    again = Session.create(server, "Again", template=saved["id"], language="en")
    before, after = s.ok("GET", ""), again.ok("GET", "")
    assert before["boards"] == after["boards"]
    control_again = await again.open("control")

    def structure(client: Any) -> Any:
        return [
            {k: item[k] for k in ("title", "duration_ms", "board", "instructions", "steps")}
            for item in section(client, "agenda")["items"]
        ], {name: b["title"] for name, b in section(client, "boards").items()}

    assert structure(control_again) == structure(control)
    assert section(control_again, "agenda")["items"][1]["steps"][0]["rooms"] == 3
    for board in before["boards"]:
        if board != "control":
            assert await drawn(again, board) == await drawn(s, board), board
    assert (await drawn(again, "main"))["ideas"] == {
        "title": "Ideas",
        "x": 10,
        "y": 20,
        "w": 500,
        "h": 300,
        "color": "yellow",
    }
    await s.close_all()
    await again.close_all()


async def test_the_published_schema_accepts_the_built_in_templates(server: PajaServer) -> None:
    schema = httpx.get(server.http + "/api/templates/schema").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in TEMPLATES.glob("*.json"):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)
    spec = httpx.get(server.http + "/api/openapi.json").json()
    assert "/api/templates/schema" in spec["paths"]
    assert "/api/sessions/{session_id}/agenda/{item_id}/steps/{index}/run" in spec["paths"]


def _good() -> dict[str, Any]:
    return json.loads((TEMPLATES / "development-path.json").read_text(encoding="utf-8"))


def _set(path: list[Any], value: Any) -> dict[str, Any]:
    template = copy.deepcopy(_good())
    target = template
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return template


def _without(path: list[Any]) -> dict[str, Any]:
    template = copy.deepcopy(_good())
    target = template
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return template


MAP, EXPERIMENT = 2, 3  # agenda items of development-path.json
BAD = [
    (_without(["titles"]), "titles"),
    (_without(["titles", "sv"]), "titles.sv"),
    (_set(["boards", 1, "name"], "Big Board"), "boards[1].name"),
    (_set(["boards", 2, "sections", 0, "w"], 10), "boards[2].sections[0].w"),
    (_set(["boards", 2, "sections", 0, "colour"], "#ffffff"), "boards[2].sections[0].colour"),
    (_set(["boards", 2, "sections", 1, "color"], "#ff0000"), "boards[2].sections[1].color"),
    (_set(["agenda", 0, "minutes"], -5), "agenda[0].minutes"),
    (_set(["agenda", 0, "instructions", "en"], 5), "agenda[0].instructions.en"),
    (_set(["agenda", MAP, "steps", 0, "kind"], "party"), f"agenda[{MAP}].steps[0].kind"),
    (
        _set(["agenda", MAP, "steps", 0, "strategy"], "alphabetical"),
        f"agenda[{MAP}].steps[0].strategy",
    ),
    (
        _set(["agenda", EXPERIMENT, "steps", 0, "section"], "nowhere"),
        f"agenda[{EXPERIMENT}].steps[0].section",
    ),
    (_set(["agenda", 1, "board"], "no-such-board"), "agenda[1].board"),
]


@pytest.mark.parametrize(("template", "field"), BAD, ids=[field for _, field in BAD])
def test_a_bad_template_file_is_refused_naming_its_field(
    server: PajaServer, template: dict[str, Any], field: str
) -> None:
    answer = httpx.post(server.http + "/api/templates", json=template, timeout=10)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["params"]["field"] == field, problem
    assert problem["detail"].startswith(field + ": "), problem
    assert problem["code"] == "invalid_template"
    # nothing was stored: the good file is the first template saved on this server
    assert not [t for t in httpx.get(server.http + "/api/templates").json() if t["saved"]]
    stored = httpx.post(server.http + "/api/templates", json=_good(), timeout=10)
    assert stored.status_code == 201, stored.text


def test_a_template_saved_through_one_instance_serves_the_whole_deployment(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    first, second = deployment(server_factory, redis_server, 2, ttl_seconds=5)
    stored = httpx.post(first.http + "/api/templates", json=_good(), timeout=10)
    assert stored.status_code == 201, stored.text
    saved_id = stored.json()["id"]
    listed = httpx.get(second.http + "/api/templates", timeout=10).json()
    assert [t["id"] for t in listed if t["saved"]] == [saved_id]
    created = second.create_session("Toinen", template=saved_id)
    assert created["template"] == saved_id


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
async def test_a_deployment_holds_a_bounded_number_of_templates(
    kind: str, tmp_path: Path, redis_server: RedisServer
) -> None:
    store: Any = (
        SQLiteStore(tmp_path / "paja.sqlite3") if kind == "sqlite" else RedisStore(redis_server.url)
    )
    await store.start()
    try:
        added = [
            await store.templates.add_template(StoredTemplate(f"t{n}", "{}", n), most=2)
            for n in range(3)
        ]
        assert added == [True, True, False]
        assert [t.id for t in await store.templates.list_templates()] == ["t0", "t1"]
        assert await store.templates.get_template("t2") is None
        assert (await store.templates.get_template("t1")) == StoredTemplate("t1", "{}", 1.0)
    finally:
        await store.close()
