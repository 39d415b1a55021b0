"""The session's generated summary: what the group did, told from `control` and the boards
alone, as plain JSON and as Markdown in the session's language (fi, sv or en).

It is pure and deterministic (every list has a stable order), so a bot, a webhook and an
export tell the same story and tests can assert exact figures. People are named only when
the facilitator allows it (`session.summary_names`); otherwise only counts remain. Text
that people wrote is escaped in the Markdown, so a note cannot add headings, links or HTML
to it; posted summaries are quoted as their authors wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc, Map

from . import agenda, boards, notes, polls, rounds, session, votes
from .control import POLLS, VOTES, Value, entries, number, plain, summaries, table
from .errors import Invalid

TOP_NOTES = 10

TEXTS: dict[str, dict[str, str]] = {
    "summary": {"fi": "Yhteenveto", "sv": "Sammanfattning", "en": "Summary"},
    "ended": {"fi": "päättyi", "sv": "avslutades", "en": "ended"},
    "overview": {"fi": "Lyhyesti", "sv": "I korthet", "en": "At a glance"},
    "participants": {"fi": "Osallistujia", "sv": "Deltagare", "en": "Participants"},
    "notes": {"fi": "Lappuja", "sv": "Lappar", "en": "Notes"},
    "dots_cast": {"fi": "Pisteitä annettu", "sv": "Prickar utdelade", "en": "Dots cast"},
    "boards": {"fi": "Tauluja", "sv": "Tavlor", "en": "Boards"},
    "polls": {"fi": "Kyselyjä", "sv": "Enkäter", "en": "Polls"},
    "people": {"fi": "Osallistujat", "sv": "Deltagarna", "en": "People"},
    "agenda": {"fi": "Ohjelma", "sv": "Program", "en": "Agenda"},
    "planned": {"fi": "suunniteltu", "sv": "planerat", "en": "planned"},
    "ran": {"fi": "toteutunut", "sv": "faktiskt", "en": "ran"},
    "not_run": {"fi": "ei käsitelty", "sv": "hanns inte med", "en": "not run"},
    "running": {"fi": "käynnissä", "sv": "pågår", "en": "running"},
    "top_notes": {"fi": "Eniten pisteitä", "sv": "Flest prickar", "en": "Top-voted notes"},
    "board_notes": {"fi": "Taulujen laput", "sv": "Tavlornas lappar", "en": "Notes on the boards"},
    "outside": {"fi": "Osioiden ulkopuolella", "sv": "Utanför avsnitten", "en": "Outside sections"},
    "votes": {"fi": "Pisteäänestykset", "sv": "Prickröstningar", "en": "Dot votes"},
    "not_revealed": {
        "fi": "tuloksia ei ole julkaistu",
        "sv": "resultatet har inte visats",
        "en": "results not revealed",
    },
    "poll_results": {"fi": "Kyselyt", "sv": "Enkäter", "en": "Polls"},
    "mean": {"fi": "keskiarvo", "sv": "medelvärde", "en": "mean"},
    "poll_open": {
        "fi": "kysely on vielä auki",
        "sv": "enkäten är fortfarande öppen",
        "en": "the poll is still open",
    },
    "breakouts": {"fi": "Pienryhmät", "sv": "Smågrupper", "en": "Breakouts"},
    "round": {"fi": "Kierros {n}", "sv": "Omgång {n}", "en": "Round {n}"},
    "promoted": {
        "fi": "Nostettu yhteiselle taululle",
        "sv": "Lyft till den gemensamma tavlan",
        "en": "Promoted to the main board",
    },
    "posted": {
        "fi": "Julkaistut yhteenvedot",
        "sv": "Publicerade sammanfattningar",
        "en": "Posted summaries",
    },
    "draft": {"fi": "luonnos", "sv": "utkast", "en": "draft"},
    "open": {"fi": "käynnissä", "sv": "pågår", "en": "open"},
    "closing": {"fi": "sulkeutumassa", "sv": "stänger", "en": "closing"},
    "dot": {"fi": "piste", "sv": "prick", "en": "dot"},
    "dots": {"fi": "pistettä", "sv": "prickar", "en": "dots"},
    "voter": {"fi": "äänestäjä", "sv": "röstande", "en": "voter"},
    "voters": {"fi": "äänestäjää", "sv": "röstande", "en": "voters"},
    "answer": {"fi": "vastaus", "sv": "svar", "en": "answer"},
    "answers": {"fi": "vastausta", "sv": "svar", "en": "answers"},
    "member": {"fi": "jäsen", "sv": "medlem", "en": "member"},
    "members": {"fi": "jäsentä", "sv": "medlemmar", "en": "members"},
}


# reading the boards


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    section: str | None
    author_name: str
    created_at: float
    origin: str | None  # the breakout board a promoted note came from
    color: str | None
    x: float | None
    y: float | None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    x: float
    y: float


@dataclass(frozen=True)
class Board:
    notes: dict[str, Note]
    sections: dict[str, Section]


_NO_BOARD = Board({}, {})


def read_board(doc: Doc[Any] | None) -> Board:
    """A board's notes and sections; clients write these, so anything malformed is skipped.

    A note belongs to the section its centre lies in (notes.section_at), whatever its
    `section` field says: a note written before a section was drawn around it is in it,
    as everyone sees it. Only a note without a position keeps the section it names."""
    if doc is None:
        return _NO_BOARD
    drawn = {k: v for k, v in table(doc, "sections").items() if isinstance(v, Map)}
    boxes = {section_id: notes.section_box(raw) for section_id, raw in drawn.items()}
    sections = {
        section_id: Section(section_id, _text(raw.get("title")) or "", *boxes[section_id][:2])
        for section_id, raw in drawn.items()
    }
    read = {}
    for note_id, raw in table(doc, "notes").items():
        if isinstance(raw, Map):
            origin = _py(raw.get("from"))
            x, y = number(raw.get("x")), number(raw.get("y"))
            read[note_id] = Note(
                note_id,
                str(raw.get("text") or ""),
                _text(raw.get("section"))
                if x is None or y is None
                else notes.section_at(boxes, x, y),
                _text(raw.get("author_name")) or "",
                number(raw.get("created_at")) or 0.0,
                _text(origin.get("board")) if isinstance(origin, dict) else None,
                _text(raw.get("color")),
                x,
                y,
            )
    return Board(read, sections)


def board_names(control: Doc[Any]) -> list[str]:
    """Every board a summary reads: the listed ones and the rooms of every round, but for
    a confidential round's rooms, which stay with their members (what they promote to
    `main` is summarised there)."""
    listed = boards.listed(control)
    rooms = {r["board"] for value in _rounds(control) for r in value["rooms"]}
    kept = rounds.facts(control).kept
    chosen = (set(listed) | rooms) - set(kept)
    return sorted(chosen, key=lambda name: _board_order(name, listed.get(name)))


# the summary as JSON


def build(
    control: Doc[Any], boards_by_name: Mapping[str, Doc[Any]], *, language: str | None = None
) -> Value:
    """The summary as plain JSON; `boards_by_name` holds the boards of `board_names`."""
    chosen = language or session.language(control)
    if chosen not in session.LANGUAGES:
        raise Invalid(f"language is one of {', '.join(session.LANGUAGES)}")
    header = session.header(control)
    names = session.names_allowed(control)
    roster = {pid: str(p.get("name", "")) for pid, p in session.roster(control).items()}
    listed = boards.listed(control)
    read = {name: read_board(boards_by_name.get(name)) for name in board_names(control)}
    every_vote = sorted(entries(control, VOTES).values(), key=_opened)
    every_poll = sorted(entries(control, POLLS).values(), key=_opened)
    dots = note_dots(every_vote)
    promoted = _promoted(read)
    summary: Value = {
        "title": str(header.get("title", "")),
        "language": chosen,
        "names": names,
        "created_at": header.get("created_at"),
        "ended_at": header.get("ended_at"),
        "join_code": header.get("join_code"),
        "counts": {
            "participants": len(roster),
            "notes": sum(len(b.notes) for b in read.values()),
            "votes": sum(int(v.get("dots_cast") or 0) for v in every_vote),
            "boards": len(read),
            "polls": len(every_poll),
        },
        "agenda": _agenda(control, chosen, header.get("ended_at")),
        "boards": [
            _board(name, listed.get(name), board, dots, names) for name, board in read.items()
        ],
        "top_notes": _top_notes(every_vote, read),
        "votes": [_vote(v, read, roster, names) for v in every_vote],
        "polls": [_poll(p, chosen) for p in every_poll],
        "breakouts": [_round(value, read, promoted, roster, names) for value in _rounds(control)],
        "posted": [
            {k: s.get(k) for k in ("author", "markdown", "posted_at", "by")}
            for s in (plain(s) for s in summaries(control))
            if isinstance(s, dict)
        ],
    }
    if names:
        summary["people"] = sorted(roster.values())
    return summary


def _agenda(control: Doc[Any], language: str, ended_at: Any) -> list[Value]:
    """Each planned item with how long the group actually spent on it, when that is known:
    an item still open counts up to the session's end, or is unknown while it runs."""
    visits = agenda.history(control)
    current = agenda.current(control)
    out = []
    for item in agenda.items(control):
        mine = [v for v in visits if v["item"] == item["id"]]
        ends = [v["ended_at"] if v["ended_at"] is not None else ended_at for v in mine]
        known = bool(mine) and None not in ends
        titles = item.get("titles") or {}
        out.append(
            {
                "id": item["id"],
                "title": titles.get(language) or item["title"],
                "duration_ms": item["duration_ms"],
                "started_at": mine[0]["started_at"] if mine else None,
                "ran_ms": (
                    sum(int(e) - int(v["started_at"]) for v, e in zip(mine, ends, strict=True))
                    if known
                    else None
                ),
                "current": item["id"] == current,
            }
        )
    return out


def _board(
    name: str, info: Value | None, board: Board, dots: dict[tuple[str, str], int], names: bool
) -> Value:
    def shown(notes: Iterable[Note]) -> list[Value]:
        return [_note(n, dots.get((name, n.id), 0), names) for n in _ordered(notes, name, dots)]

    ordered = sorted(board.sections.values(), key=lambda s: (s.y, s.x, s.title, s.id))
    return {
        "name": name,
        "title": str((info or {}).get("title") or name),
        "kind": _kind(name, info),
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "notes": shown(n for n in board.notes.values() if n.section == s.id),
            }
            for s in ordered
        ],
        "outside_sections": shown(
            n for n in board.notes.values() if n.section not in board.sections
        ),
    }


def _note(note: Note, dots: int, names: bool) -> Value:
    out: Value = {"id": note.id, "text": note.text, "section": note.section, "dots": dots}
    if names:
        out["author"] = note.author_name
    return out


def _top_notes(every_vote: list[Value], read: Mapping[str, Board]) -> list[Value]:
    """The notes of every revealed vote by dots, ties sharing a rank, down to rank 10."""
    ranked = sorted(
        (
            (-int(r["dots"]), position, place, vote, r)
            for position, vote in enumerate(every_vote)
            if vote["state"] == votes.REVEALED
            for place, r in enumerate(vote.get("results") or [])
        ),
        key=lambda entry: entry[:3],
    )
    out: list[Value] = []
    for i, (_, _, _, vote, r) in enumerate(ranked):
        rank = out[-1]["rank"] if out and out[-1]["dots"] == r["dots"] else i + 1
        if rank > TOP_NOTES:
            break
        text = _note_text(read, vote["board"], r["note"])
        out.append(
            {
                "board": vote["board"],
                "note": r["note"],
                "text": text,
                "dots": int(r["dots"]),
                "rank": rank,
                "vote": vote["id"],
            }
        )
    return out


def _vote(vote: Value, read: Mapping[str, Board], roster: dict[str, str], names: bool) -> Value:
    results = None
    if vote["state"] == votes.REVEALED:
        results = []
        for r in vote.get("results") or []:
            row: Value = {
                "note": r["note"],
                "text": _note_text(read, vote["board"], r["note"]),
                "dots": int(r["dots"]),
                "rank": int(r["rank"]),
            }
            if names and r.get("voters") is not None:
                row["people"] = _named(r["voters"], roster)
            results.append(row)
    return {
        "id": vote["id"],
        "title": vote.get("title") or "",
        "board": vote["board"],
        "section": vote.get("section"),
        "state": vote["state"],
        "anonymous": bool(vote.get("anonymous")),
        "dots_cast": int(vote.get("dots_cast") or 0),
        "voters": int(vote.get("voters") or 0),
        "results": results,
    }


def _poll(poll: Value, language: str) -> Value:
    """A poll with its question in the summary's language; choice and scale results also
    as shares, in the order of the poll's options (a Yjs map keeps no key order)."""
    questions = poll.get("questions") or {}
    results = poll.get("results")
    out: Value = {
        "id": poll["id"],
        "kind": poll["kind"],
        "question": questions.get(language) or poll["question"],
        "state": poll["state"],
        "answers": int(poll.get("answers") or 0),
        "results": results,
    }
    if isinstance(results, dict) and isinstance(results.get("counts"), dict):
        labels = [str(o) for o in poll.get("options") or []]
        counts = {label: int(results["counts"].get(label, 0)) for label in labels}
        total = sum(counts.values())
        out["results"] = results | {"counts": counts}
        out["options"] = [
            {"option": label, "count": n, "percent": round(100 * n / total, 1) if total else 0.0}
            for label, n in counts.items()
        ]
    if poll["kind"] == polls.SCALE and isinstance(results, dict):
        out["mean"] = results.get("mean")
    if poll["kind"] == polls.TEXT and isinstance(results, dict):
        out["texts"] = [str(t) for t in results.get("texts") or []]
    return out


def _promoted(read: Mapping[str, Board]) -> dict[str, list[Note]]:
    """The notes on the main board by the breakout board each was promoted from."""
    out: dict[str, list[Note]] = {}
    for n in read.get(boards.MAIN, _NO_BOARD).notes.values():
        if n.origin is not None:
            out.setdefault(n.origin, []).append(n)
    return out


def _round(
    value: Value,
    read: Mapping[str, Board],
    promoted: Mapping[str, list[Note]],
    roster: dict[str, str],
    names: bool,
) -> Value:
    """A round's rooms with what each group wrote and what it carried to the main board."""
    rooms = []
    for r in value["rooms"]:
        board = read.get(r["board"], _NO_BOARD)
        room: Value = {
            "name": r["name"],
            "board": r["board"],
            "members": len(r["members"]),
            "notes": [n.text for n in _ordered(board.notes.values(), r["board"], {})],
            "promoted": [n.text for n in _ordered(promoted.get(r["board"], []), boards.MAIN, {})],
        }
        if names:
            room["people"] = _named(r["members"], roster)
        rooms.append(room)
    return {
        "id": value["id"],
        "number": int(value["number"]),
        "state": value.get("state", rounds.CLOSED),
        "closed_at": value.get("closed_at"),
        "confidential": bool(value.get("confidential")),
        "rooms": rooms,
    }


def _rounds(control: Doc[Any]) -> list[Value]:
    """Closed rounds (oldest first) and the current one while it has not closed yet."""
    past = rounds.history(control)
    value = rounds.current(control)
    if value is not None and value["id"] not in {p["id"] for p in past}:
        past.append(value)
    return sorted(past, key=lambda r: int(r["number"]))


def note_dots(every_vote: Iterable[Value]) -> dict[tuple[str, str], int]:
    """Dots per (board, note), summed over the revealed votes: an unrevealed vote's dots
    are told to nobody."""
    out: dict[tuple[str, str], int] = {}
    for vote in every_vote:
        if vote["state"] == votes.REVEALED:
            for r in vote.get("results") or []:
                key = (vote["board"], r["note"])
                out[key] = out.get(key, 0) + int(r["dots"])
    return out


def _ordered(notes: Iterable[Note], board: str, dots: dict[tuple[str, str], int]) -> list[Note]:
    """Most dots first, then in the order they were written."""
    return sorted(notes, key=lambda n: (-dots.get((board, n.id), 0), n.created_at, n.id))


def _note_text(read: Mapping[str, Board], board: str, note_id: str) -> str:
    found = read.get(board, _NO_BOARD).notes.get(note_id)
    return found.text if found else ""


def _named(ids: Iterable[str], roster: dict[str, str]) -> list[str]:
    """Names of people still in the roster (a removed person is not named)."""
    return sorted(roster[pid] for pid in ids if pid in roster)


def _opened(value: Value) -> tuple[int, str]:
    return int(value.get("opened_at") or 0), str(value["id"])


def _kind(name: str, info: Value | None) -> str:
    """The kind the board's listing gives, or the one its name tells."""
    listed = (info or {}).get("kind")
    if listed:
        return str(listed)
    if name == boards.MAIN:
        return boards.MAIN_KIND
    return boards.BREAKOUT_KIND if name.startswith("breakout-") else boards.BOARD_KIND


def _board_order(name: str, info: Value | None) -> tuple[int, int, str]:
    """Main first, then the other boards by name, then breakout rooms by number."""
    order = {boards.MAIN_KIND: 0, boards.BOARD_KIND: 1, boards.BREAKOUT_KIND: 2}.get(
        _kind(name, info), 1
    )
    number = name.removeprefix("breakout-")
    return order, int(number) if number.isdigit() else 0, name


def _py(value: Any) -> Any:
    return value.to_py() if isinstance(value, Map) else value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# the summary as Markdown


_ESCAPED = str.maketrans(
    {c: "\\" + c for c in "\\`*_[]~#|"} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
_LINE_START = re.compile(r"^(?:([-+])|(\d+)([.)]))")
# Where a renderer that links bare addresses (GFM's autolinks, markdown-it's linkify) would
# start a link: a scheme's `://`, a `//`, a dot between the labels of a domain name, an
# e-mail's `@`. A backslash before each breaks the address into pieces none of them link.
_AUTOLINK = re.compile(r":(?=//)|(?<=/)/|(?<=[^\W_])\.(?=[^\W\d_])|@")


def escape(text: str) -> str:
    """Text someone wrote, as one line of Markdown that renders as that text and nothing
    more: no heading, list, link (bare addresses included), emphasis or HTML can start
    inside it. GFM still links a bare e-mail address, whatever is escaped in it."""
    flat = " ".join(text.split()).translate(_ESCAPED)
    unlinked = _AUTOLINK.sub(lambda m: "\\" + m[0], flat)
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", unlinked)


def to_markdown(summary: Value) -> str:
    """The summary as readable Markdown, every fixed text in the summary's language."""
    language = str(summary["language"])
    parts = (
        _overview,
        _agenda_md,
        _top_md,
        _boards_md,
        _votes_md,
        _polls_md,
        _rounds_md,
        _posted_md,
    )
    lines = [line for part in parts for line in part(summary, language)]
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept).rstrip() + "\n"


def _overview(summary: Value, language: str) -> list[str]:
    when = _date(summary.get("created_at"), language)
    if summary.get("ended_at") is not None:
        when += f" – {_t('ended', language)} {_date(summary['ended_at'], language)}"
    lines = [f"# {escape(summary['title'])}", "", f"*{_t('summary', language)}* · {when}"]
    lines += ["", f"## {_t('overview', language)}", ""]
    counts = summary["counts"]
    labels = (
        ("participants", "participants"),
        ("notes", "notes"),
        ("votes", "dots_cast"),
        ("boards", "boards"),
        ("polls", "polls"),
    )
    lines += [f"- {_t(label, language)}: {counts[key]}" for key, label in labels]
    if summary.get("people"):
        lines.append(f"- {_t('people', language)}: {_names(summary['people'])}")
    return lines


def _agenda_md(summary: Value, language: str) -> list[str]:
    if not summary["agenda"]:
        return []
    lines = ["", f"## {_t('agenda', language)}", ""]
    for i, item in enumerate(summary["agenda"], 1):
        planned = f"{_t('planned', language)} {_duration(item['duration_ms'])}"
        if item["started_at"] is None:
            ran = _t("not_run", language)
        elif item["ran_ms"] is None:
            ran = _t("running", language)
        else:
            ran = f"{_t('ran', language)} {_duration(item['ran_ms'])}"
        lines.append(f"{i}. {escape(item['title'])} — {planned}, {ran}")
    return lines


def _top_md(summary: Value, language: str) -> list[str]:
    if not summary["top_notes"]:
        return []
    titles = _board_titles(summary)
    lines = ["", f"## {_t('top_notes', language)}", ""]
    for top in summary["top_notes"]:
        dots = _dots_text(top["dots"], language)
        where = escape(titles.get(top["board"], top["board"]))
        lines.append(f"- **{top['rank']}.** {escape(top['text'])} — {dots} · {where}")
    return lines


def _boards_md(summary: Value, language: str) -> list[str]:
    """Boards other than breakout rooms, whose notes are told with their round."""
    shown = [b for b in summary["boards"] if b["kind"] != boards.BREAKOUT_KIND and _has_notes(b)]
    if not shown:
        return []
    lines = ["", f"## {_t('board_notes', language)}"]
    for b in shown:
        lines += ["", f"### {escape(b['title'])}"]
        for s in b["sections"]:
            lines += ["", f"#### {escape(s['title'])}", ""]
            lines += [_note_line(n, language) for n in s["notes"]]
        if b["outside_sections"]:
            if b["sections"]:
                lines += ["", f"#### {_t('outside', language)}"]
            lines.append("")
            lines += [_note_line(n, language) for n in b["outside_sections"]]
    return lines


def _votes_md(summary: Value, language: str) -> list[str]:
    if not summary["votes"]:
        return []
    titles = _board_titles(summary)
    lines = ["", f"## {_t('votes', language)}"]
    for vote in summary["votes"]:
        heading = escape(vote["title"] or titles.get(vote["board"], vote["board"]))
        tally = _dots_text(vote["dots_cast"], language)
        tally += ", " + _count(vote["voters"], "voter", "voters", language)
        lines += ["", f"### {heading}", "", tally, ""]
        if vote["results"] is None:
            lines.append(f"*{_t('not_revealed', language)}*")
        for r in vote["results"] or []:
            line = f"- **{r['rank']}.** {escape(r['text'])} — {_dots_text(r['dots'], language)}"
            if r.get("people"):
                line += f" ({_names(r['people'])})"
            lines.append(line)
    return lines


def _polls_md(summary: Value, language: str) -> list[str]:
    if not summary["polls"]:
        return []
    lines = ["", f"## {_t('poll_results', language)}"]
    for poll in summary["polls"]:
        lines += ["", f"### {escape(poll['question'])}", ""]
        lines += [_count(poll["answers"], "answer", "answers", language), ""]
        if poll["results"] is None:
            lines.append(f"*{_t('poll_open', language)}*")
        for option in poll.get("options", []):
            share = _percent(option["percent"], language)
            lines.append(f"- {escape(option['option'])}: {option['count']} ({share})")
        if poll.get("mean") is not None:
            lines.append(f"- {_t('mean', language)}: {_decimal(poll['mean'], language)}")
        lines += [f"- {escape(text)}" for text in poll.get("texts", [])]
    return lines


def _rounds_md(summary: Value, language: str) -> list[str]:
    if not summary["breakouts"]:
        return []
    lines = ["", f"## {_t('breakouts', language)}"]
    for value in summary["breakouts"]:
        heading = _t("round", language).format(n=value["number"])
        if value["state"] != rounds.CLOSED:
            heading += f" ({_t(value['state'], language)})"
        lines += ["", f"### {heading}"]
        for room in value["rooms"]:
            members = _count(room["members"], "member", "members", language)
            lines += ["", f"#### {escape(room['name'])} ({members})", ""]
            if room.get("people"):
                lines += [_names(room["people"]), ""]
            lines += [f"- {escape(text)}" for text in room["notes"] if text.strip()]
            if room["promoted"]:
                lines += ["", f"{_t('promoted', language)}:", ""]
                lines += [f"- {escape(text)}" for text in room["promoted"]]
    return lines


def _posted_md(summary: Value, language: str) -> list[str]:
    """Posted summaries are quoted whole, as their authors wrote them."""
    if not summary["posted"]:
        return []
    lines = ["", f"## {_t('posted', language)}"]
    for posted in summary["posted"]:
        byline = f"{escape(str(posted['author']))} · {_date(posted['posted_at'], language)}"
        lines += ["", f"### {byline}", ""]
        lines += [f"> {line}".rstrip() for line in str(posted["markdown"]).splitlines()]
    return lines


def _t(key: str, language: str) -> str:
    return TEXTS[key][language]


def _count(n: int, one: str, many: str, language: str) -> str:
    return f"{n} {_t(one if n == 1 else many, language)}"


def _dots_text(n: int, language: str) -> str:
    return _count(n, "dot", "dots", language)


def _names(people: list[str]) -> str:
    return ", ".join(escape(p) for p in people)


def _board_titles(summary: Value) -> dict[str, str]:
    return {b["name"]: b["title"] for b in summary["boards"]}


def _has_notes(board: Value) -> bool:
    return bool(board["outside_sections"]) or any(s["notes"] for s in board["sections"])


def _note_line(note: Value, language: str) -> str:
    line = f"- {escape(note['text'])}"
    if note["dots"]:
        line += f" — {_dots_text(note['dots'], language)}"
    if note.get("author"):
        line += f" — *{escape(note['author'])}*"
    return line


def _date(ms: Any, language: str) -> str:
    if not isinstance(ms, int | float):
        return ""
    day = datetime.fromtimestamp(ms / 1000, UTC)
    return f"{day.day}.{day.month}.{day.year}" if language == "fi" else day.strftime("%Y-%m-%d")


def _duration(ms: int) -> str:
    minutes, seconds = divmod(round(ms / 1000), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(hours, "h"), (minutes, "min"), (seconds, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 min"


def _decimal(value: float, language: str) -> str:
    text = f"{value:g}"
    return text if language == "en" else text.replace(".", ",")


def _percent(value: float, language: str) -> str:
    return f"{value:g}%" if language == "en" else f"{_decimal(value, language)} %"
