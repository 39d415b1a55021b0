"""The generated summary, built from a workshop scripted with the rooms functions: exact
figures, names only with the facilitator's permission, and Markdown that a note cannot
break out of."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from markdown_it import MarkdownIt
from pycrdt import Doc, Map, Text

from rooms import agenda, boards, exports, notes, polls, posted, rounds, session, summary, votes
from rooms.control import number, table
from rooms.errors import Invalid
from support.notes import note_map

T0 = 1_763_900_000_000  # 23.11.2025
MIN = 60_000
PEOPLE = {
    "pid-pia": "Pia Aalto",
    "pid-olli": "Olli Berg",
    "pid-sara": "Sara Cole",
    "pid-eero": "Eero Dahl",
}


@dataclass
class Workshop:
    control: Doc[Any]
    boards: dict[str, Doc[Any]]
    private: Doc[Any]  # ballots and poll answers, as the server keeps them

    def summary(self, language: str | None = None) -> dict[str, Any]:
        return summary.build(self.control, self.boards, language=language)

    def board(self, name: str) -> Doc[Any]:
        return self.boards.setdefault(name, Doc())


def started(language: str = "en") -> Workshop:
    control: Doc[Any] = Doc()
    session.start(
        control, title="Retro", template=None, language=language, join_code="ABCD-EFGH", now=T0
    )
    boards.add(control, boards.MAIN, title="Main", kind=boards.MAIN_KIND, open_to_all=True)
    for pid, name in PEOPLE.items():
        session.join(control, pid, name=name, tags=[], now=T0)
    return Workshop(control, {}, Doc())


def note(
    board: Doc[Any],
    note_id: str,
    text: str,
    *,
    section: str | None = None,
    author: str = "pid-pia",
    at: int = 0,
) -> None:
    """A note inside its section, or away from every section: membership follows where
    a note is (docs/schema.md), so a note is put where its section is."""
    x, y = -1000.0, 0.0
    if section is not None:
        drawn = table(board, "sections")[section]
        x, y = drawn["x"] + 20, drawn["y"] + 60
    table(board, "notes")[note_id] = note_map(
        text,
        author=author,
        author_name=PEOPLE.get(author, ""),
        at=T0 + at,
        section=section,
        x=x,
        y=y,
    )


def sections(board: Doc[Any], *placed: tuple[str, str, int]) -> None:
    """Sections side by side: (id, title, x)."""
    notes.add_sections(
        board,
        [
            {"id": sid, "title": title, "x": x, "y": 0, "w": 300, "h": 300, "color": "#eee"}
            for sid, title, x in placed
        ],
    )


def dot_vote(
    w: Workshop,
    vote_id: str,
    board: str,
    dots: Iterable[tuple[str, str]],
    *,
    anonymous: bool = True,
    reveal: bool = True,
    at: int = 0,
) -> None:
    """A vote where each (person, note) is one dot; closed and revealed unless told."""
    v = votes.create(
        w.control,
        vote_id,
        title=vote_id.upper(),
        board=board,
        section=None,
        per_participant=30,
        per_note=30,
        anonymous=anonymous,
        now=T0 + at,
    )
    eligible = set(table(w.board(board), "notes").keys())
    for person, target in dots:
        votes.record(w.control, vote_id, votes.cast(v, w.private, person, target, eligible))
    if reveal:
        closed = votes.close(w.control, vote_id, T0 + at + 1)
        votes.reveal(w.control, vote_id, votes.results(closed, w.private))


def poll(
    w: Workshop, poll_id: str, answers: dict[str, Any], *, close: bool = True, **how: Any
) -> None:
    options = {"kind": None, "question": None, "options": None, "preset": None} | how
    created = polls.create(
        w.control, poll_id, language=session.language(w.control), now=T0, **options
    )
    for person, raw in answers.items():
        polls.record(w.control, poll_id, polls.answer(created, w.private, person, raw))
    if close:
        polls.close(w.control, poll_id, polls.results(created, w.private), T0 + 1)


def scripted(language: str = "en") -> Workshop:
    """Notes in sections, a dot vote with a tie, polls, a breakout round with a promoted
    note, a second round still in draft and a bot's summary."""
    w = started(language)
    main = w.board(boards.MAIN)
    sections(main, ("s-try", "Try", 400), ("s-keep", "Keep", 0))
    note(main, "n1", "Pilot the mentoring model", section="s-try", at=1)
    note(main, "n2", "Weekly check-ins", section="s-keep", author="pid-olli", at=2)
    note(main, "n3", "Shared calendar", section="s-keep", author="pid-sara", at=3)
    note(main, "n4", "Coffee", author="pid-eero", at=4)
    dot_vote(
        w,
        "v1",
        boards.MAIN,
        [
            ("pid-pia", "n1"),
            ("pid-olli", "n1"),
            ("pid-sara", "n1"),
            ("pid-eero", "n2"),
            ("pid-eero", "n2"),
            ("pid-pia", "n2"),
            ("pid-olli", "n3"),
        ],
        anonymous=False,
    )
    poll(
        w,
        "q1",
        {"pid-pia": "Pilot", "pid-olli": "Pilot", "pid-sara": "Survey"},
        kind="choice",
        question="Which next?",
        options=["Pilot", "Survey"],
    )
    poll(w, "q2", {"pid-pia": 5, "pid-olli": 4, "pid-sara": 4}, preset="heard")
    poll(w, "q3", {"pid-pia": "More time"}, close=False, kind="text", question="Anything else?")

    pairs = [["pid-pia", "pid-olli"], ["pid-sara", "pid-eero"]]
    first = rounds.Plan("random", pairs)
    rounds.draft(w.control, first, duration_ms=10 * MIN, closing_ms=0, names=["Aalto", "Bonde"])
    rounds.open_round(w.control, "r1", T0 + MIN)
    note(w.board("breakout-1"), "b1", "Pilot in spring", at=5)
    note(w.board("breakout-1"), "b2", "Ask HR", author="pid-olli", at=6)
    note(w.board("breakout-2"), "c1", "Mentoring pairs", author="pid-sara", at=7)
    rounds.close(w.control, "r1", T0 + 11 * MIN)
    rounds.finish(w.control, T0 + 11 * MIN)
    copied = notes.copies(w.board("breakout-1"), ["b1"])
    notes.paste(main, copied, ["m-b1"], "breakout-1", section_id="h-aalto", title="Aalto")
    rounds.draft(w.control, rounds.Plan("reuse", pairs), duration_ms=MIN, closing_ms=0, names=None)
    posted.post(
        w.control, "s1", author="Paja bot", markdown="## Decisions\n- pilot", by="bot", now=T0
    )
    return w


def test_the_summary_tells_the_scripted_session_in_exact_figures() -> None:
    made = scripted().summary()
    assert made["title"] == "Retro" and made["language"] == "en" and made["ended_at"] is None
    assert made["counts"] == {"participants": 4, "notes": 8, "votes": 7, "boards": 5, "polls": 3}
    assert [(b["name"], b["kind"]) for b in made["boards"]] == [
        ("main", "main"),
        ("breakout-1", "breakout"),
        ("breakout-2", "breakout"),
        ("breakout-3", "breakout"),
        ("breakout-4", "breakout"),
    ]
    main = made["boards"][0]
    assert [
        (s["title"], [(n["text"], n["dots"]) for n in s["notes"]]) for s in main["sections"]
    ] == [
        ("Keep", [("Weekly check-ins", 3), ("Shared calendar", 1)]),
        ("Try", [("Pilot the mentoring model", 3)]),
        ("Aalto", [("Pilot in spring", 0)]),
    ], "sections read top-left first; the harvest lands below the others"
    assert [n["text"] for n in main["outside_sections"]] == ["Coffee"]
    assert made["top_notes"] == [
        {"board": "main", "note": note_id, "text": text, "dots": dots, "rank": rank, "vote": "v1"}
        for note_id, text, dots, rank in (
            ("n1", "Pilot the mentoring model", 3, 1),
            ("n2", "Weekly check-ins", 3, 1),
            ("n3", "Shared calendar", 1, 3),
        )
    ]
    choice, heard, text = made["polls"]
    assert choice["answers"] == 3 and choice["options"] == [
        {"option": "Pilot", "count": 2, "percent": 66.7},
        {"option": "Survey", "count": 1, "percent": 33.3},
    ]
    assert heard["question"] == "I felt heard" and heard["mean"] == 4.33
    assert [o["percent"] for o in heard["options"]] == [0.0, 0.0, 0.0, 66.7, 33.3]
    assert text["state"] == "open" and text["results"] is None and "options" not in text
    first, second = made["breakouts"]
    assert (first["number"], first["state"], second["state"]) == (1, "closed", "draft")
    assert [(r["name"], r["members"], r["notes"], r["promoted"]) for r in first["rooms"]] == [
        ("Aalto", 2, ["Pilot in spring", "Ask HR"], ["Pilot in spring"]),
        ("Bonde", 2, ["Mentoring pairs"], []),
    ]
    assert [r["board"] for r in second["rooms"]] == ["breakout-3", "breakout-4"]
    assert made["posted"] == [
        {"author": "Paja bot", "markdown": "## Decisions\n- pilot", "posted_at": T0, "by": "bot"}
    ]


def test_nobody_is_named_until_the_facilitator_allows_it() -> None:
    w = scripted()
    hidden = w.summary()
    dumped = json.dumps(hidden) + summary.to_markdown(hidden)
    for pid, name in PEOPLE.items():
        assert pid not in dumped and name not in dumped and name.split()[0] not in dumped
    assert "people" not in hidden and hidden["names"] is False
    assert hidden["votes"][0]["results"][0] == {
        "note": "n1",
        "text": "Pilot the mentoring model",
        "dots": 3,
        "rank": 1,
    }

    session.change(w.control, title=None, summary_names=True)
    named = w.summary()
    assert named["people"] == ["Eero Dahl", "Olli Berg", "Pia Aalto", "Sara Cole"]
    keep = named["boards"][0]["sections"][0]["notes"]
    assert [(n["text"], n["author"]) for n in keep] == [
        ("Weekly check-ins", "Olli Berg"),
        ("Shared calendar", "Sara Cole"),
    ]
    assert [r["people"] for r in named["votes"][0]["results"]] == [
        ["Olli Berg", "Pia Aalto", "Sara Cole"],
        ["Eero Dahl", "Pia Aalto"],
        ["Olli Berg"],
    ]
    assert [r["people"] for r in named["breakouts"][0]["rooms"]] == [
        ["Olli Berg", "Pia Aalto"],
        ["Eero Dahl", "Sara Cole"],
    ]
    markdown = summary.to_markdown(named)
    assert "- Weekly check-ins — 3 dots — *Olli Berg*" in markdown
    assert (
        "- **1.** Pilot the mentoring model — 3 dots (Olli Berg, Pia Aalto, Sara Cole)" in markdown
    )


def test_an_anonymous_vote_names_no_voters_even_with_permission() -> None:
    w = started()
    note(w.board(boards.MAIN), "n1", "Only idea")
    dot_vote(w, "v1", boards.MAIN, [("pid-pia", "n1"), ("pid-olli", "n1")], anonymous=True)
    session.change(w.control, title=None, summary_names=True)
    result = w.summary()["votes"][0]["results"]
    assert result == [{"note": "n1", "text": "Only idea", "dots": 2, "rank": 1}]


def test_top_notes_share_ranks_across_votes_and_stop_at_rank_ten() -> None:
    w = started()
    boards.add(w.control, "ideas", title="Ideas")
    main, ideas = w.board(boards.MAIN), w.board("ideas")
    for i, letter in enumerate("abcdefghijk"):
        note(main, letter, f"Note {letter}", at=i)
    note(ideas, "x", "Note x")
    dots = dict(zip("abcdefghijk", (20, 19, 18, 17, 16, 15, 14, 13, 12, 12, 5), strict=True))
    dot_vote(w, "v1", boards.MAIN, [(f"voter-{n}", n) for n, k in dots.items() for _ in range(k)])
    dot_vote(w, "v2", "ideas", [("voter-x", "x")] * 14, at=10)
    dot_vote(w, "v3", boards.MAIN, [("voter-k", "k")] * 25, reveal=False, at=20)

    top = w.summary()["top_notes"]
    assert [(t["note"], t["dots"], t["rank"], t["vote"]) for t in top] == [
        ("a", 20, 1, "v1"),
        ("b", 19, 2, "v1"),
        ("c", 18, 3, "v1"),
        ("d", 17, 4, "v1"),
        ("e", 16, 5, "v1"),
        ("f", 15, 6, "v1"),
        ("g", 14, 7, "v1"),
        ("x", 14, 7, "v2"),
        ("h", 13, 9, "v1"),
        ("i", 12, 10, "v1"),
        ("j", 12, 10, "v1"),
    ], "ties at the cut share rank 10; the open vote v3 counts for nothing yet"
    assert top[7]["board"] == "ideas" and top[7]["text"] == "Note x"
    assert w.summary()["counts"]["votes"] == sum(dots.values()) + 14 + 25


def test_the_agenda_as_run_counts_every_visit_and_the_open_one_until_the_end() -> None:
    w = started()
    welcome = {"fi": "Tervetuloa", "sv": "Välkommen", "en": "Welcome"}
    agenda.replace(
        w.control,
        [
            {"id": "welcome", "title": "Welcome", "titles": welcome, "duration_ms": 10 * MIN},
            {"id": "ideas", "title": "Ideas", "duration_ms": 20 * MIN},
            {"id": "wrap", "title": "Wrap-up", "duration_ms": 5 * MIN},
        ],
    )
    agenda.advance(w.control, T0, start_timer=False)
    agenda.advance(w.control, T0 + 12 * MIN, start_timer=False)
    agenda.go_to(w.control, "welcome", T0 + 30 * MIN, start_timer=False)
    agenda.go_to(w.control, "ideas", T0 + 33 * MIN, start_timer=False)
    assert agenda.history(w.control) == [
        {"item": "welcome", "started_at": T0, "ended_at": T0 + 12 * MIN},
        {"item": "ideas", "started_at": T0 + 12 * MIN, "ended_at": T0 + 30 * MIN},
        {"item": "welcome", "started_at": T0 + 30 * MIN, "ended_at": T0 + 33 * MIN},
        {"item": "ideas", "started_at": T0 + 33 * MIN, "ended_at": None},
    ]

    def as_run(language: str | None = None) -> list[tuple[str, int | None, bool]]:
        made = w.summary(language)["agenda"]
        return [(i["title"], i["ran_ms"], i["current"]) for i in made]

    assert as_run() == [
        ("Welcome", 15 * MIN, False),
        ("Ideas", None, True),
        ("Wrap-up", None, False),
    ], "ideas is still running, wrap-up never started"
    session.end(w.control, T0 + 40 * MIN)
    assert as_run("fi") == [
        ("Tervetuloa", 15 * MIN, False),
        ("Ideas", 25 * MIN, True),
        ("Wrap-up", None, False),
    ]
    markdown = summary.to_markdown(w.summary())
    assert "1. Welcome — planned 10 min, ran 15 min" in markdown
    assert "3. Wrap-up — planned 5 min, not run" in markdown
    agenda.go_to(w.control, None, T0 + 41 * MIN, start_timer=False)
    assert agenda.history(w.control)[-1]["ended_at"] == T0 + 41 * MIN


def test_fixed_texts_follow_the_language_in_finnish_and_english() -> None:
    w = scripted(language="fi")
    made = w.summary()
    assert made["language"] == "fi"
    assert made["polls"][1]["question"] == "Tulin kuulluksi"
    finnish = summary.to_markdown(made)
    english = summary.to_markdown(w.summary("en"))

    def headings(markdown: str) -> list[str]:
        return [line for line in markdown.splitlines() if line.startswith("## ")]

    assert headings(finnish) == [
        "## Lyhyesti",
        "## Eniten pisteitä",
        "## Taulujen laput",
        "## Pisteäänestykset",
        "## Kyselyt",
        "## Pienryhmät",
        "## Julkaistut yhteenvedot",
    ]
    assert headings(english) == [
        "## At a glance",
        "## Top-voted notes",
        "## Notes on the boards",
        "## Dot votes",
        "## Polls",
        "## Breakouts",
        "## Posted summaries",
    ]
    for line in (
        "*Yhteenveto* · 23.11.2025",
        "- Osallistujia: 4",
        "- Pisteitä annettu: 7",
        "- **1.** Pilot the mentoring model — 3 pistettä · Main",
        "- **3.** Shared calendar — 1 piste · Main",
        "7 pistettä, 4 äänestäjää",
        "- Pilot: 2 (66,7 %)",
        "- keskiarvo: 4,33",
        "*kysely on vielä auki*",
        "### Kierros 1",
        "#### Aalto (2 jäsentä)",
        "Nostettu yhteiselle taululle:",
        "### Kierros 2 (luonnos)",
        "> ## Decisions",
    ):
        assert line in finnish.splitlines(), line
    for line in (
        "*Summary* · 2025-11-23",
        "- Participants: 4",
        "- **1.** Weekly check-ins — 3 dots · Main",
        "- Survey: 1 (33.3%)",
        "- mean: 4.33",
        "### I felt heard",
        "#### Bonde (2 members)",
        "Promoted to the main board:",
        "### Round 2 (draft)",
    ):
        assert line in english.splitlines(), line
    assert all(set(texts) == set(session.LANGUAGES) for texts in summary.TEXTS.values())
    assert started("sv").summary()["language"] == "sv"
    with pytest.raises(Invalid):
        w.summary("de")


def test_a_hostile_note_cannot_add_headings_links_or_html() -> None:
    w = started()
    session.change(w.control, title="<img src=x onerror=alert(1)>", summary_names=None)
    main = w.board(boards.MAIN)
    sections(main, ("s1", "## Section [y](http://evil)", 0))
    hostile = "# heading\n[x](http://evil) <script>alert(1)</script>"
    note(main, "h", hostile, section="s1")
    note(main, "l", "1. list", at=1)
    note(main, "m", "- item", at=2)
    note(main, "e", "**bold** `code` _em_ |pipe| \\ &amp;", at=3)
    posted.post(w.control, "s", author="Bot", markdown="## Posted\n<b>hi</b>", by="bot", now=T0)

    markdown = summary.to_markdown(w.summary())
    escaped = "- \\# heading \\[x\\](http\\:/\\/evil) &lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in markdown
    html = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert re.findall(r"<(h\d)>(.*?)</\1>", html) == [
        ("h1", "&lt;img src=x onerror=alert(1)&gt;"),
        ("h2", "At a glance"),
        ("h2", "Notes on the boards"),
        ("h3", "Main"),
        ("h4", "## Section [y](http://evil)"),
        ("h4", "Outside sections"),
        ("h2", "Posted summaries"),
        ("h3", "Bot · 2025-11-23"),
        ("h2", "Posted"),
    ], "only the posted summary, quoted as written, brings its own heading"
    for text in (
        "# heading [x](http://evil) &lt;script&gt;alert(1)&lt;/script&gt;",
        "1. list",
        "- item",
        "**bold** `code` _em_ |pipe| \\ &amp;amp;",
    ):
        assert f"<li>{text}</li>" in html, text
    assert "<blockquote>\n<h2>Posted</h2>\n<p><b>hi</b></p>\n</blockquote>" in html


def test_a_number_is_finite_and_never_a_bool() -> None:
    assert (number(3), number(-2.5), number(0)) == (3.0, -2.5, 0.0)
    assert [number(v) for v in (True, False, float("nan"), float("inf"), "7", None)] == [None] * 6


def csv_rows(w: Workshop) -> list[dict[str, str]]:
    made = exports.notes_csv(
        w.control.get_update(), {name: doc.get_update() for name, doc in w.boards.items()}
    )
    return list(csv.DictReader(io.StringIO(made)))


def test_the_notes_csv_sorts_by_time_and_counts_only_revealed_dots() -> None:
    w = started()
    main = w.board(boards.MAIN)
    sections(main, ("s-1", "=Went well", 0))
    note(main, "late", "Written last", section="s-1", at=2)
    note(main, "early", "Written first", at=1)
    for note_id, at in (("half", 0.5), ("flagged", True)):  # clients write anything
        table(main, "notes")[note_id] = Map({"text": Text(note_id), "created_at": at})
    note(w.board("ideas"), "idea", "-1 meeting a week", author="pid-olli", at=3)
    dot_vote(w, "v1", boards.MAIN, [("pid-pia", "late"), ("pid-olli", "late")])
    dot_vote(w, "v2", "ideas", [("pid-olli", "idea")], reveal=False)

    rows = csv_rows(w)
    assert [row["note"] for row in rows] == ["flagged", "half", "early", "late", "idea"], (
        "a time that is True is no time, not 1 ms"
    )
    by_note = {row["note"]: row for row in rows}
    assert by_note["flagged"]["created_at"] == "0" and by_note["flagged"]["x"] == ""
    assert by_note["late"]["section"] == "'=Went well" and by_note["early"]["section"] == ""
    assert (by_note["late"]["dots"], by_note["early"]["dots"]) == ("2", "0")
    assert by_note["idea"]["dots"] == "", "the ideas vote is not revealed"
    assert by_note["idea"]["text"] == "'-1 meeting a week"
    assert {row["author_name"] for row in rows} == {""}

    session.change(w.control, title=None, summary_names=True)
    assert {row["note"]: row["author_name"] for row in csv_rows(w)}["idea"] == "Olli Berg"


def test_an_imported_control_is_read_as_the_server_reads_it_and_gets_its_own_code() -> None:
    w = started()
    exports.check_control(w.control)
    broken: Doc[Any] = Doc()
    table(broken, "timers")["t"] = {"state": "running", "ends_at": "soon"}
    with pytest.raises(Invalid, match="board 'control'"):
        exports.check_control(broken)

    copy: Doc[Any] = Doc()
    assert exports.restore_control(copy, w.control.get_update(), "WXYZ-2345") == "en"
    assert session.header(copy)["join_code"] == "WXYZ-2345"
    assert session.header(copy)["title"] == "Retro" and len(session.roster(copy)) == 4


def test_a_note_belongs_to_the_section_it_sits_in_whenever_either_was_made() -> None:
    """Membership follows geometry: a note written before a section was drawn around it
    is in that section (summary and CSV alike), a note whose `section` field is stale is
    where it is seen, and of two sections holding a note the smaller one has it."""
    w = started()
    main = w.board(boards.MAIN)
    notes_of = table(main, "notes")
    notes_of["early"] = note_map("Written first", author="pid-pia", author_name="", at=T0, x=40)
    notes_of["stale"] = note_map(
        "Dragged out", author="pid-pia", author_name="", at=T0 + 1, section="s-outer", x=2000
    )
    notes_of["nested"] = note_map(
        "In the corner", author="pid-pia", author_name="", at=T0 + 2, x=620, y=420
    )
    notes.add_sections(
        main,
        [
            {"id": "s-outer", "title": "Ideas", "x": 0, "y": 0, "w": 900, "h": 700},
            {"id": "s-inner", "title": "Best", "x": 600, "y": 400, "w": 250, "h": 200},
        ],
    )
    [board] = [b for b in w.summary()["boards"] if b["name"] == boards.MAIN]
    by_section = {s["title"]: [n["id"] for n in s["notes"]] for s in board["sections"]}
    assert by_section == {"Ideas": ["early"], "Best": ["nested"]}
    assert [n["id"] for n in board["outside_sections"]] == ["stale"]
    assert {row["note"]: row["section"] for row in csv_rows(w)} == {
        "early": "Ideas",
        "stale": "",
        "nested": "Best",
    }
