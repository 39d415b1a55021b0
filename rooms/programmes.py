"""A programme: a process of months (a mentoring year) around many sessions, as plain data.

The programme is one bounded JSON value: its title, phases, timeline of events, materials,
members (who join once and keep a personal link), the groups formed for the whole process
(each with its own session as its space) and the follow-up polls. Every function here is
pure: it checks a change against the limits and returns the new value, or raises a
refusal; the server stores it (server/store/programmes.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from random import Random
from typing import Any

from . import breakouts
from .breakouts import Person
from .errors import Conflict, Invalid, NotFound

Value = dict[str, Any]
LANGUAGES = ("fi", "sv", "en")
ORGANISER = "organiser"
MEMBER = "member"
MAX_MEMBERS = 500
MAX_CSV_BYTES = 256 * 1024
MAX_CSV_ROWS = MAX_MEMBERS
MAX_PHASES = 12
MAX_TIMELINE = 60
MAX_MATERIALS = 60
MAX_GROUPS = 200
MAX_MEETINGS = 200  # per group: older meetings drop off the record
MAX_TIMES = 20
MAX_THEMES = 20
MAX_FOLLOWUPS = 20
FIVE_PHASES: dict[str, list[str]] = {
    "fi": ["Kiinnostu", "Kartoita", "Kokeile", "Kehitä", "Käytä"],
    "sv": ["Bli intresserad", "Kartlägg", "Pröva", "Utveckla", "Använd"],
    "en": ["Get interested", "Map", "Experiment", "Develop", "Use"],
}
CSV_COLUMNS = ("name", "organisation", "kind", "email")
STRATEGIES = ("keep_apart", "balanced", "random")


def new(programme_id: str, *, title: str, language: str, now: int) -> Value:
    if language not in LANGUAGES:
        raise Invalid(f"language is one of {', '.join(LANGUAGES)}")
    return {
        "id": programme_id,
        "title": title,
        "language": language,
        "created_at": now,
        "phases": [{"title": t} for t in FIVE_PHASES[language]],
        "timeline": [],
        "materials": [],
        "members": {},
        "groups": [],
        "groups_draft": None,
        "followups": [],
    }


# --- members ---------------------------------------------------------------------------


def member_tags(member: Value) -> tuple[str, ...]:
    """A member as the grouping rules and a session's roster see them."""
    tags = [f"org:{member['organisation']}", f"kind:{member['kind']}"]
    if member.get("email"):
        tags.append(f"email:{member['email']}")
    return tuple(tags)


def add_members(programme: Value, people: Sequence[Value], ids: Sequence[str], now: int) -> None:
    """Add members (name, organisation, kind, email or None) under the given ids."""
    members = programme["members"]
    if len(members) + len(people) > MAX_MEMBERS:
        raise Conflict(f"a programme has at most {MAX_MEMBERS} members", "programme_full")
    for member_id, person in zip(ids, people, strict=True):
        members[member_id] = {
            "name": person["name"],
            "organisation": person["organisation"],
            "kind": person["kind"],
            "email": person.get("email"),
            "role": person.get("role", MEMBER),
            "joined_at": now,
        }


def member(programme: Value, member_id: str) -> Value:
    found = programme["members"].get(member_id)
    if found is None:
        raise NotFound("no such member")
    return dict(found)


def remove_member(programme: Value, member_id: str) -> None:
    """Out of the programme and of its groups; events keep what they recorded."""
    member(programme, member_id)
    del programme["members"][member_id]
    for group in programme["groups"]:
        group["members"] = [m for m in group["members"] if m != member_id]
    programme["groups_draft"] = None


def set_role(programme: Value, member_id: str, role: str) -> Value:
    if role not in (ORGANISER, MEMBER):
        raise Invalid("a member's role is organiser or member")
    member(programme, member_id)
    programme["members"][member_id]["role"] = role
    return member(programme, member_id)


def parse_csv(text: str) -> list[Value]:
    """Members from `name,organisation,kind,email` rows (a header row naming them, in any
    order; email optional). Every bad row is named, so the organiser fixes the file once."""
    if len(text.encode()) > MAX_CSV_BYTES:
        raise Invalid(f"the CSV is larger than {MAX_CSV_BYTES // 1024} KiB")
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise Invalid("the CSV has no rows")
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in CSV_COLUMNS[:3] if c not in header]
    if missing:
        raise Invalid(f"the CSV's header row lacks {', '.join(missing)}")
    if len(rows) - 1 > MAX_CSV_ROWS:
        raise Invalid(f"the CSV has more than {MAX_CSV_ROWS} rows")
    where = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    people, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in where.items()}
        problem = _bad_row(cells)
        if problem:
            errors.append(f"row {number}: {problem}")
            continue
        people.append(
            {
                "name": cells["name"],
                "organisation": cells["organisation"],
                "kind": cells["kind"],
                "email": cells.get("email") or None,
            }
        )
    if errors:
        raise Invalid("; ".join(errors[:20]) + ("; …" if len(errors) > 20 else ""))
    if not people:
        raise Invalid("the CSV has no members")
    return people


def _bad_row(cells: dict[str, str]) -> str | None:
    for name, limit in (("name", 80), ("organisation", 80), ("kind", 32)):
        if not cells.get(name):
            return f"{name} is empty"
        if len(cells[name]) > limit:
            return f"{name} is longer than {limit} characters"
    email = cells.get("email") or ""
    if email and (len(email) > 254 or "@" not in email or any(c.isspace() for c in email)):
        return "email is not an e-mail address"
    return None


# --- contents ---------------------------------------------------------------------------


def set_contents(
    programme: Value,
    *,
    title: str | None,
    phases: list[Value] | None,
    materials: list[Value] | None,
) -> None:
    """What organisers write for everyone: title, phases and materials (each bounded by
    its model at the REST side; the counts here)."""
    if title is not None:
        programme["title"] = title
    if phases is not None:
        if len(phases) > MAX_PHASES:
            raise Invalid(f"at most {MAX_PHASES} phases")
        programme["phases"] = phases
    if materials is not None:
        if len(materials) > MAX_MATERIALS:
            raise Invalid(f"at most {MAX_MATERIALS} materials")
        programme["materials"] = materials


def add_event(programme: Value, event: Value) -> Value:
    if len(programme["timeline"]) >= MAX_TIMELINE:
        raise Conflict(f"a programme has at most {MAX_TIMELINE} events", "timeline_full")
    programme["timeline"].append(event)
    programme["timeline"].sort(key=lambda e: (e.get("date") or "", e["created_at"]))
    return event


def event(programme: Value, session_id: str) -> Value:
    for item in programme["timeline"]:
        if item["session_id"] == session_id:
            return dict(item)
    raise NotFound("no such event in this programme")


# --- groups -----------------------------------------------------------------------------


def people(programme: Value) -> list[Person]:
    """Every member who is not an organiser, as the grouping rules see them."""
    return [
        Person(mid, str(m["name"]), member_tags(m))
        for mid, m in sorted(programme["members"].items())
        if m["role"] == MEMBER
    ]


def draft_groups(
    programme: Value,
    *,
    strategy: str,
    group_size: int,
    key: str | None,
    rng: Random,
    history: set[breakouts.Pair],
) -> Value:
    """A preview of groups by one of the grouping rules; nothing changes until it is kept.
    `history` holds the pairs who already met (in the events' breakout rounds)."""
    who = people(programme)
    if len(who) < 2:
        raise Invalid("a programme needs at least two members to form groups")
    if strategy == "keep_apart":
        allocation = breakouts.keep_apart(
            who, key=key or "org", group_size=group_size, rng=rng, history=history
        )
    elif strategy == "balanced":
        allocation = breakouts.balanced_by_tag(
            who, key=key or "kind", group_size=group_size, rng=rng, history=history
        )
    elif strategy == "random":
        allocation = breakouts.random_groups(who, group_size=group_size, rng=rng, history=history)
    else:
        raise Invalid(f"strategy is one of {', '.join(STRATEGIES)}")
    if len(allocation) > MAX_GROUPS:
        raise Invalid(f"at most {MAX_GROUPS} groups")
    draft = {"strategy": strategy, "groups": [list(g) for g in allocation]}
    programme["groups_draft"] = draft
    return draft


def move_in_draft(programme: Value, member_id: str, group: int) -> Value:
    """The organiser's adjustment of the preview."""
    draft: Value | None = programme.get("groups_draft")
    if not draft:
        raise Conflict("there is no draft of groups to adjust", "no_draft")
    try:
        draft["groups"] = breakouts.move(draft["groups"], member_id, group)
    except breakouts.BreakoutError as error:
        raise Invalid(str(error)) from error
    return draft


def keep_draft(programme: Value, session_ids: Sequence[str], names: Sequence[str]) -> list[Value]:
    """The preview becomes the programme's groups, each with its own session; a group the
    organiser's moves emptied is left out (`session_ids` and `names` are for the others).
    Groups are formed once: forming them again would take their spaces from their members."""
    draft = programme.get("groups_draft")
    if not draft:
        raise Conflict("there is no draft of groups to keep", "no_draft")
    if programme["groups"]:
        raise Conflict("the programme's groups are formed already", "groups_formed")
    groups = [
        {
            "id": session_id,
            "name": name,
            "members": list(members),
            "session_id": session_id,
            "times": [],
            "themes": [],
            "meetings": [],
        }
        for session_id, name, members in zip(
            session_ids, names, [g for g in draft["groups"] if g], strict=True
        )
    ]
    programme["groups"] = groups
    programme["groups_draft"] = None
    return groups


def group(programme: Value, group_id: str) -> Value:
    item: Value
    for item in programme["groups"]:
        if item["id"] == group_id:
            return item
    raise NotFound("no such group")


def group_of(programme: Value, member_id: str) -> Value | None:
    return next((g for g in programme["groups"] if member_id in g["members"]), None)


def agree(programme: Value, group_id: str, *, times: list[str], themes: list[str]) -> Value:
    """A group's own agreements: its meeting times and themes, written by its members."""
    if len(times) > MAX_TIMES or len(themes) > MAX_THEMES:
        raise Invalid(f"at most {MAX_TIMES} times and {MAX_THEMES} themes")
    found = group(programme, group_id)
    found["times"], found["themes"] = list(times), list(themes)
    return found


def met(programme: Value, group_id: str, now: int) -> Value:
    """A member started the group's live session: the fact that the group met is what an
    organiser sees of a group, never what it wrote."""
    found = group(programme, group_id)
    found["meetings"] = [*found["meetings"], now][-MAX_MEETINGS:]
    return found


def group_seen_by_organiser(found: Value) -> Value:
    """What an organiser may know of a group: who is in it and when it met; not its
    themes, times or board."""
    return {
        "id": found["id"],
        "name": found["name"],
        "members": list(found["members"]),
        "meetings": list(found["meetings"]),
    }


# --- follow-up polls --------------------------------------------------------------------


def add_followup(programme: Value, poll: Value) -> Value:
    if len(programme["followups"]) >= MAX_FOLLOWUPS:
        raise Conflict(f"a programme has at most {MAX_FOLLOWUPS} follow-up polls", "full")
    programme["followups"].append(poll)
    return poll


def followup(programme: Value, poll_id: str) -> Value:
    item: Value
    for item in programme["followups"]:
        if item["id"] == poll_id:
            return item
    raise NotFound("no such follow-up poll")


def answer_followup(poll: Value, value: int) -> Value:
    """One answer, kept only as a count per value: each member's link answers once (its
    token is taken when it answers), and nothing ties an answer to a member."""
    if value not in range(1, 6):
        raise Invalid("an answer is a whole number from 1 to 5")
    counts = poll["counts"]
    counts[str(value)] = counts.get(str(value), 0) + 1
    return poll


def followup_result(poll: Value) -> Value:
    counts = {str(v): int(poll["counts"].get(str(v), 0)) for v in range(1, 6)}
    total = sum(counts.values())
    mean = sum(int(v) * n for v, n in counts.items()) / total if total else None
    return {
        "id": poll["id"],
        "question": poll["question"],
        "created_at": poll["created_at"],
        "answers": total,
        "counts": counts,
        "mean": None if mean is None else round(mean, 2),
    }


# --- the trend --------------------------------------------------------------------------


def trend(results: Iterable[tuple[Value, Value]], language: str) -> list[Value]:
    """Closed scale polls of every event, grouped by question across events in timeline
    order (a preset such as "heard" is one question in every language): `results` is
    (event, poll) pairs, the polls as the events' control documents hold them."""
    by_question: dict[str, list[Value]] = {}
    for item, poll in results:
        outcome = poll.get("results")
        if poll.get("kind") != "scale" or not isinstance(outcome, dict):
            continue
        counts = {str(k): int(v) for k, v in (outcome.get("counts") or {}).items()}
        total = sum(counts.values())
        if not total:
            continue
        mean = sum(int(k) * n for k, n in counts.items()) / total
        question = (poll.get("questions") or {}).get(language) or poll.get("question")
        key = str(poll.get("preset") or poll.get("question"))
        by_question.setdefault(key, []).append(
            {
                "event": item["session_id"],
                "title": item["title"],
                "date": item.get("date"),
                "question": question,
                "answers": total,
                "mean": round(mean, 2),
            }
        )
    out = []
    for key, points in by_question.items():
        change = round(points[-1]["mean"] - points[0]["mean"], 2) if len(points) > 1 else None
        out.append(
            {"key": key, "question": points[-1]["question"], "points": points, "change": change}
        )
    return out
