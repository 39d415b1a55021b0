"""The agenda and the session templates, on a control document without a server."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Map

from rooms import agenda, boards, notes, session, templates, timers
from rooms.errors import Conflict, Invalid, NotFound

MIN = 60_000


def test_moving_on_makes_the_next_item_current_and_can_start_its_timer() -> None:
    doc: Doc[Any] = Doc()
    agenda.replace(
        doc,
        [
            {"title": "Welcome", "duration_ms": 5 * MIN},
            {"title": "Map", "duration_ms": 20 * MIN, "board": "map", "instructions": "Go"},
        ],
    )
    first = agenda.advance(doc, 1_000, start_timer=True)
    assert first is not None and first["id"] == "i1" and agenda.current(doc) == "i1"
    timer = timers.get(doc, timers.AGENDA_TIMER)
    assert timer["label"] == "Welcome" and timer["ends_at"] == 1_000 + 5 * MIN
    second = agenda.advance(doc, 2_000, start_timer=False)
    assert second is not None and second["board"] == "map"
    assert timers.get(doc, timers.AGENDA_TIMER)["label"] == "Welcome"
    assert agenda.advance(doc, 3_000, start_timer=True) is None
    assert agenda.current(doc) is None
    agenda.go_to(doc, "i2", 4_000, start_timer=True)
    assert timers.get(doc, timers.AGENDA_TIMER)["duration_ms"] == 20 * MIN
    with pytest.raises(NotFound):
        agenda.go_to(doc, "nope", 0, start_timer=False)


def test_bad_agendas_are_refused_before_anything_changes() -> None:
    doc: Doc[Any] = Doc()
    agenda.replace(doc, [{"title": "Kept"}])
    for bad in (
        "not a list",
        [{"title": ""}],
        [{"title": "x", "duration_ms": -1}],
        [{"title": "x", "board": "Not A Slug"}],
        [{"title": "x", "id": "a"}, {"title": "y", "id": "a"}],
        [{"title": "x", "titles": {"de": "x"}}],
    ):
        with pytest.raises(Invalid):
            agenda.replace(doc, bad)
    assert [i["title"] for i in agenda.items(doc)] == ["Kept"]
    with pytest.raises(Conflict):
        agenda.replace(doc, [])
        agenda.advance(doc, 0, start_timer=False)


@pytest.mark.parametrize("template_id", templates.names())
def test_every_template_has_three_languages_and_declared_boards(template_id: str) -> None:
    template = templates.load(template_id)
    for language in session.LANGUAGES:
        doc: Doc[Any] = Doc()
        session.start(
            doc, title="T", template=template_id, language=language, join_code="ABCD-EFGH", now=0
        )
        templates.apply(doc, template, language)
        items = agenda.items(doc)
        assert len(items) == len(template.agenda) >= 4
        assert all(i["title"] and i["duration_ms"] > 0 for i in items)
        assert set(boards.listed(doc)) == set(templates.board_names(template))


def test_the_development_path_has_the_five_phases_in_finnish() -> None:
    doc: Doc[Any] = Doc()
    templates.apply(doc, templates.load("development-path"), "fi")
    titles = [i["title"] for i in agenda.items(doc)]
    assert ["Kiinnostu", "Kartoita", "Kokeile", "Kehitä", "Käytä"] == titles[1:6]
    assert agenda.items(doc)[1]["titles"]["en"] == "Get interested"


def test_an_unknown_template_is_invalid_and_sections_are_laid_out() -> None:
    with pytest.raises(Invalid):
        templates.load("no-such-template")
    laid_out = templates.sections(templates.load("retrospective"), "retro", "sv")
    board: Doc[Any] = Doc()
    notes.add_sections(board, laid_out)
    assert board.get("sections", type=Map).to_py()["actions"]["title"] == "Åtgärder"


def test_template_made_texts_come_in_every_language_for_each_viewer() -> None:
    """A Finnish session made from a template still carries its agenda instructions, board
    titles and section titles in Swedish and English, for viewers who read those."""
    doc: Doc[Any] = Doc()
    template = templates.load("development-path")
    templates.apply(doc, template, "fi")
    second = agenda.items(doc)[1]
    assert second["instructions"] == "Miksi tämä aihe on tärkeä? Keitä se koskee?"
    assert second["instruction_texts"]["sv"] == "Varför är ämnet viktigt? Vem berör det?"
    listed = boards.listed(doc)["get-interested"]
    assert listed["title"] == "Kiinnostu" and listed["titles"]["sv"] == "Bli intresserad"

    board: Doc[Any] = Doc()
    notes.add_sections(board, templates.sections(templates.load("retrospective"), "retro", "fi"))
    actions = board.get("sections", type=Map).to_py()["actions"]
    assert actions["title"] == "Toimenpiteet" and actions["titles"]["en"] == "Actions"
