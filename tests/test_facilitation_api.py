"""The REST surface as a whole: every route in the OpenAPI spec, templates, summaries
from bots, and refusals as problem JSON."""

from __future__ import annotations

from pathlib import Path

import httpx
from pycrdt import Array, Map
from starlette.routing import Route

from server.http.app import create_app
from server.http.openapi import openapi_spec
from server.process.config import Settings
from support.commands import Session, section
from support.processes import PajaServer
from support.yclient import eventually


def test_the_openapi_spec_covers_every_api_route(tmp_path: Path) -> None:
    # with metrics on, as the document describes /metrics (and its 404 when they are off)
    app = create_app(Settings(data_dir=tmp_path, metrics=True))
    spec = openapi_spec()
    routes = [r for r in app.routes if isinstance(r, Route) and r.path.startswith("/api")]
    assert len(routes) > 40
    for r in routes:
        assert r.path in spec["paths"], r.path
        for method in r.methods or ():
            if method != "HEAD":
                assert method.lower() in spec["paths"][r.path], (method, r.path)
    documented = {(p, m.upper()) for p, ops in spec["paths"].items() for m in ops}
    served = {(r.path, m) for r in app.routes if isinstance(r, Route) for m in r.methods or ()}
    assert documented <= served, documented - served


async def test_a_template_session_a_bot_summary_and_refusals(server: PajaServer) -> None:
    listed = httpx.get(server.http + "/api/templates").json()
    assert {t["id"] for t in listed} == {
        "development-path",
        "peer-mentoring-trio",
        "reverse-mentoring-kickoff",
        "retrospective",
    }
    unknown = httpx.post(server.http + "/api/sessions", json={"title": "x", "template": "nope"})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("no template")
    bad_language = httpx.post(server.http + "/api/sessions", json={"title": "x", "language": "de"})
    assert bad_language.status_code == 422

    s = Session.create(server, "Retro", template="retrospective", language="sv")
    meta = s.ok("GET", "")
    assert meta["boards"] == ["control", "main", "retro"]
    retro = await s.open("retro")
    sections = dict(retro.doc.get("sections", type=Map).to_py() or {})
    assert sections["went-well"]["title"] == "Vad fungerade"
    display = await s.open("control", s.created["observer_token"])
    assert section(display, "session")["language"] == "sv"
    assert section(display, "boards")["retro"] == {
        "title": "Retro",
        "titles": {"fi": "Retro", "sv": "Retro", "en": "Retro"},
        "kind": "board",
        "open_to_all": True,
        "round": None,
    }

    pia = s.join("Pia")
    posted = s.ok(
        "POST",
        "/summaries",
        s.created["bot_token"],
        {"author": "Summary bot", "markdown": "# Decided\n<script>x</script>"},
    )
    assert posted["by"] == "bot"
    assert (
        s.call("POST", "/summaries", pia["token"], {"author": "P", "markdown": "x"}).status_code
        == 403
    )
    await eventually(lambda: len(display.doc.get("summaries", type=Array)) == 1)
    shown = display.doc.get("summaries", type=Array).to_py()[0]
    assert shown["markdown"] == "# Decided\n<script>x</script>", "kept as text, never rendered"

    roster = section(display, "roster")
    assert roster[pia["participant_id"]]["name"] == "Pia"
    assert roster[pia["participant_id"]]["role"] == "participant"

    for method, path, body, status in [
        ("POST", "/timers/none/pause", None, 404),
        ("POST", "/agenda/current", {"item": "nope"}, 404),
        ("POST", "/breakouts/r7/open", None, 404),
        ("POST", "/votes", {"board": "nope", "per_participant": 1}, 404),
        ("POST", "/votes", {"board": "main", "per_participant": 0}, 422),
        ("POST", "/polls", {"kind": "choice", "question": "?", "options": ["one"]}, 422),
        ("POST", "/boards", {"name": "Bad Name"}, 422),
        ("POST", "/boards", {"name": "retro"}, 409),
        ("PUT", "/participants/nobody/role", {"role": "facilitator"}, 404),
        ("POST", "/breakouts", {"strategy": "choose", "rooms": 2}, 422),
    ]:
        response = s.call(method, path, body=body)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
    await s.close_all()
