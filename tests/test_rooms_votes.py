"""Dot votes and polls: limits, secrecy while open, results when revealed or closed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, Map

from rooms import polls, posted, votes
from rooms.control import entry
from rooms.control import summaries as summary_list
from rooms.errors import Conflict, Invalid

NOTES = {"a", "b", "c"}


def vote(doc: Doc[Any], **options: Any) -> dict[str, Any]:
    settings = {"per_participant": 3, "per_note": 2, "anonymous": True, "section": None}
    settings.update(options)
    return votes.create(doc, "v", title="Best", board="main", now=0, **settings)


def test_dots_stay_within_the_limits_and_control_sees_only_totals() -> None:
    control: Doc[Any] = Doc()
    ballots: Doc[Any] = Doc()
    v = vote(control)
    votes.cast(v, ballots, "p1", "a", NOTES)
    tally = votes.cast(v, ballots, "p1", "a", NOTES)
    assert tally.mine == {"a": 2} and tally.dots_cast == 2 and tally.voters == 1
    with pytest.raises(Conflict, match="one note"):
        votes.cast(v, ballots, "p1", "a", NOTES)
    votes.cast(v, ballots, "p1", "b", NOTES)
    with pytest.raises(Conflict, match="all your 3 dots"):
        votes.cast(v, ballots, "p1", "c", NOTES)
    with pytest.raises(Invalid):
        votes.cast(v, ballots, "p2", "zzz", NOTES)
    votes.record(control, "v", votes.cast(v, ballots, "p2", "b", NOTES))
    public = entry(control, "votes", "v")
    assert public is not None
    assert public["dots_cast"] == 4 and public["voters"] == 2 and public["results"] is None
    assert "p1" not in str(control.get("votes", type=Map).to_py())


def test_results_are_ranked_only_after_close_and_reveal() -> None:
    control: Doc[Any] = Doc()
    ballots: Doc[Any] = Doc()
    v = vote(control, anonymous=False)
    for person, note in [("p1", "a"), ("p2", "a"), ("p2", "b"), ("p3", "c")]:
        votes.cast(v, ballots, person, note, NOTES)
    votes.retract(v, ballots, "p3", "c")
    with pytest.raises(Conflict):
        votes.reveal(control, "v", votes.results(v, ballots))
    closed = votes.close(control, "v", 5)
    with pytest.raises(Conflict):
        votes.cast(closed, ballots, "p1", "b", NOTES)
    revealed = votes.reveal(control, "v", votes.results(closed, ballots))
    assert revealed["results"] == [
        {"note": "a", "dots": 2, "rank": 1, "voters": ["p1", "p2"]},
        {"note": "b", "dots": 1, "rank": 2, "voters": ["p2"]},
    ]


@given(st.lists(st.tuples(st.sampled_from(["p1", "p2"]), st.sampled_from(sorted(NOTES)))))
def test_nobody_ever_exceeds_the_limits(attempts: list[tuple[str, str]]) -> None:
    control: Doc[Any] = Doc()
    ballots: Doc[Any] = Doc()
    v = vote(control, per_participant=4, per_note=2)
    for person, note in attempts:
        try:
            votes.cast(v, ballots, person, note, NOTES)
        except Conflict:
            pass
        mine = votes.mine(ballots, "v", person)
        assert sum(mine.values()) <= 4 and max(mine.values()) <= 2
    ranked = votes.results(v, ballots)
    assert sum(r["dots"] for r in ranked) == votes.tally(ballots, "v")[0]
    assert all(r["voters"] is None for r in ranked)


def test_polls_hide_results_until_closed_and_keep_no_names() -> None:
    control: Doc[Any] = Doc()
    answers: Doc[Any] = Doc()
    heard = polls.create(
        control, "q", kind=None, question=None, options=None, preset="heard", language="sv", now=0
    )
    assert heard["question"] == "Jag blev hörd" and heard["kind"] == "scale"
    assert polls.answer(heard, answers, "p1", 4) == 1
    assert polls.answer(heard, answers, "p1", 5) == 1
    assert polls.answer(heard, answers, "p2", 2) == 2
    with pytest.raises(Invalid):
        polls.answer(heard, answers, "p3", 6)
    assert entry(control, "polls", "q")["results"] is None  # type: ignore[index]
    closed = polls.close(control, "q", polls.results(heard, answers), 9)
    assert closed["results"] == {"counts": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}, "mean": 3.5}
    with pytest.raises(Conflict):
        polls.answer(closed, answers, "p3", 3)


def test_choice_and_text_polls() -> None:
    control: Doc[Any] = Doc()
    answers: Doc[Any] = Doc()
    choice = polls.create(
        control,
        "c",
        kind="choice",
        question="Lunch?",
        options=["Soup", "Salad"],
        preset=None,
        language="en",
        now=0,
    )
    polls.answer(choice, answers, "p1", "Soup")
    with pytest.raises(Invalid):
        polls.answer(choice, answers, "p2", "Pizza")
    assert polls.results(choice, answers) == {"counts": {"Soup": 1, "Salad": 0}}
    text = polls.create(
        control,
        "t",
        kind="text",
        question="One word?",
        options=None,
        preset=None,
        language="en",
        now=0,
    )
    polls.answer(text, answers, "p2", " calm ")
    polls.answer(text, answers, "p1", "busy")
    assert polls.results(text, answers) == {"texts": ["busy", "calm"]}
    with pytest.raises(Invalid):
        polls.create(
            control,
            "x",
            kind="choice",
            question="?",
            options=["one"],
            preset=None,
            language="en",
            now=0,
        )


def test_summaries_are_appended_as_text() -> None:
    doc: Doc[Any] = Doc()
    posted.post(doc, "s1", author="Bot", markdown="<b>hi</b>", by="bot", now=1)
    posted.post(doc, "s2", author="Anna", markdown="# Done", by="facilitator", now=2)
    assert [s["markdown"] for s in summary_list(doc).to_py()] == ["<b>hi</b>", "# Done"]
    with pytest.raises(Invalid):
        posted.post(doc, "s3", author="x", markdown="  ", by="bot", now=3)
