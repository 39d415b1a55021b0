"""Breakout rooms: who sits with whom, as pure functions over plain data.

A facilitator splits a workshop into rooms many times a session, and peer trios meet again
over a year. Keeping every rule here, without I/O and with the randomness passed in, means
the same people and the same seed always give the same rooms, so a split can be tested,
explained and replayed. Rooms are list indices; an `Allocation` is a list of rooms, each a
list of person ids.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations, pairwise
from random import Random
from typing import TypeAlias

Allocation: TypeAlias = list[list[str]]
Pair: TypeAlias = frozenset[str]

_BUDGET = 300_000  # pair look-ups per local search: about a quarter second, whatever the input
_PATIENCE = 25  # passes without a better allocation before the search gives up
_EPS = 1e-9


class BreakoutError(ValueError):
    """A breakout request that cannot be carried out; the message can be shown as it is."""


class InvalidRequest(BreakoutError):
    """The request itself is malformed (sizes, ratio, capacity, CSV header, duplicate ids)."""


class UnknownPerson(BreakoutError):
    """The person is not in any room, so there is nothing to move."""


class UnknownRoom(BreakoutError):
    """The room index does not exist in this allocation."""


class RoomFull(BreakoutError):
    """The chosen room already has as many people as it has places."""


class AlreadyPlaced(BreakoutError):
    """A late joiner who is already in a room must be moved, not placed again."""


class NoRooms(BreakoutError):
    """There are no rooms yet to place anyone in."""


@dataclass(frozen=True)
class Person:
    """Tags are `key:value` strings so a form field or a CSV column maps onto them as-is."""

    id: str
    name: str
    tags: tuple[str, ...] = ()

    def tag(self, key: str) -> str | None:
        prefix = key + ":"
        for tag in self.tags:
            if tag.startswith(prefix):
                return tag[len(prefix) :]
        return None

    def kin(self, key: str) -> str | None:
        """The tag's value as compared: "Kela", " KELA " and "kela" are one organisation,
        however each person typed it (a value of only spaces is no value)."""
        value = fold(self.tag(key) or "")
        return value or None


def fold(value: str) -> str:
    """A tag value as compared: spaces evened out and case folded."""
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class CsvRow:
    """One data row of a pre-assignment CSV, kept with its line so a facilitator can fix it."""

    line: int
    name: str
    email: str
    group: str
    reason: str = ""


@dataclass(frozen=True)
class CsvAssignment:
    """Rooms from a spreadsheet plus everything that did not fit, so nothing is lost silently.

    `group_names[i]` is the CSV's name for `allocation[i]`, in order of first appearance.
    """

    allocation: Allocation
    group_names: list[str]
    unmatched_rows: list[CsvRow]
    unassigned_ids: list[str]


# --- sizes -------------------------------------------------------------------------------


def group_sizes(
    n_people: int, *, rooms: int | None = None, group_size: int | None = None
) -> list[int]:
    """Room sizes, largest first, that differ by at most one.

    A facilitator asks for trios and gets a four rather than a pair when people do not divide
    evenly. With `rooms`, exactly that many rooms, even if some stay empty: they were opened.
    With `group_size`, the room count is either n // size (leftovers join existing rooms) or
    ceil(n / size) (one more room, so some are short), whichever keeps the room furthest from
    the target nearer to it; a tie goes to n // size. In trios: 10 is 4+3+3, 11 is 4+4+3,
    4 is 4, 5 is 3+2, 2 is 2. For a target of 2 or more, a room of one means one person.
    """
    if n_people < 0:
        raise InvalidRequest("the number of people cannot be negative")
    if (rooms is None) == (group_size is None):
        raise InvalidRequest("give either rooms or group_size")
    if rooms is not None:
        if rooms < 1:
            raise InvalidRequest("rooms must be at least 1")
        count = rooms
    else:
        assert group_size is not None
        if group_size < 1:
            raise InvalidRequest("group_size must be at least 1")
        count = _room_count(n_people, group_size)
    base, extra = divmod(n_people, count) if count else (0, 0)
    return [base + 1 if i < extra else base for i in range(count)]


def _room_count(n_people: int, size: int) -> int:
    if n_people == 0:
        return 0
    fewer, more = n_people // size, -(-n_people // size)
    if fewer == 0:
        return more
    over = -(-n_people // fewer) - size
    under = size - n_people // more
    return fewer if over <= under else more


# --- pairs and bounds --------------------------------------------------------------------


def pairs_of(allocation: Allocation) -> set[Pair]:
    """Who met whom: the history that later rounds should not repeat."""
    return {frozenset(pair) for group in allocation for pair in combinations(group, 2)}


def same_tag_pairs(allocation: Allocation, people: Iterable[Person], key: str) -> int:
    """How many pairs in the same room share a tag value: the figure keep_apart minimises."""
    value = {p.id: p.kin(key) for p in people}
    return sum(
        1
        for group in allocation
        for a, b in combinations(group, 2)
        if value.get(a) is not None and value.get(a) == value.get(b)
    )


def min_same_tag_pairs(people: Iterable[Person], *, key: str, rooms: int) -> int:
    """The fewest same-value pairs any split into `rooms` rooms can have.

    Each value's people are at best spread evenly over the rooms, and keep_apart reaches
    that for every value at once, so this is exact. It is 0 exactly when no value has
    more people than there are rooms.
    """
    counts = Counter(v for p in people if (v := p.kin(key)) is not None)
    if not counts:
        return 0  # nobody to pair, however many rooms (none, when nobody came)
    if rooms < 1:
        raise InvalidRequest("rooms must be at least 1")
    total = 0
    for count in counts.values():
        each, extra = divmod(count, rooms)
        total += extra * (each + 1) * each // 2 + (rooms - extra) * each * (each - 1) // 2
    return total


# --- strategies --------------------------------------------------------------------------


def random_groups(
    people: Sequence[Person],
    *,
    rooms: int | None = None,
    group_size: int | None = None,
    rng: Random,
    history: Iterable[Pair] = (),
) -> Allocation:
    """A fair shuffle for mixing a plenary; `history` keeps people from meeting again."""
    ids = [p.id for p in _sorted(people)]
    rng.shuffle(ids)
    groups = _deal(ids, group_sizes(len(ids), rooms=rooms, group_size=group_size))
    return _improve(groups, _Cost.build(people, history), rng)


def balanced_by_tag(
    people: Sequence[Person],
    *,
    key: str = "kind",
    ratio: Mapping[str, float] | None = None,
    rooms: int | None = None,
    group_size: int | None = None,
    rng: Random,
    history: Iterable[Pair] = (),
) -> Allocation:
    """Every room gets its share of each kind, e.g. reverse-mentoring groups of supervisors
    and newcomers, so no room is all one kind.

    Without a ratio each value is spread evenly (counts per room differ by at most one).
    With a ratio such as {"supervisor": 1, "newcomer": 2}, rooms approach that mix as
    closely as the head counts allow; values outside the ratio keep their natural share.
    """
    buckets: dict[str, list[str]] = {}
    for p in _sorted(people):
        buckets.setdefault(p.tag(key) or "", []).append(p.id)
    named = [v for v in ratio or {} if v in buckets]
    order = named + sorted(v for v in buckets if v not in named)
    for value in order:
        rng.shuffle(buckets[value])
    sizes = group_sizes(len(people), rooms=rooms, group_size=group_size)
    groups = _deal([pid for value in order for pid in buckets[value]], sizes)
    share = _shares({v: len(ids) for v, ids in buckets.items()}, ratio)
    cost = _Cost.build(people, history, bucket_key=key, share=share)
    return _improve(groups, cost, rng, same_bucket=not share)


def keep_apart(
    people: Sequence[Person],
    *,
    key: str = "org",
    rooms: int | None = None,
    group_size: int | None = None,
    rng: Random,
    history: Iterable[Pair] = (),
) -> Allocation:
    """Rooms that cross borders: people sharing a value (e.g. an organisation) are split up,
    and pairs from `history` do not meet again.

    Dealing each value's people as one run over the rooms, slot by slot, spreads every value
    evenly, so the number of same-value pairs is the minimum (see min_same_tag_pairs). A
    bounded swap search then removes repeated pairs without ever giving that minimum up.
    """
    runs: dict[str, list[str]] = {}
    loners: list[list[str]] = []
    for p in _sorted(people):
        value = p.kin(key)
        if value is None:
            loners.append([p.id])
        else:
            runs.setdefault(value, []).append(p.id)
    order = [runs[v] for v in sorted(runs)] + loners
    rng.shuffle(order)
    for run in order:
        rng.shuffle(run)
    sizes = group_sizes(len(people), rooms=rooms, group_size=group_size)
    groups = _deal([pid for run in order for pid in run], sizes)
    cost = _Cost.build(people, history, apart_key=key)
    floor = cost.hard * min_same_tag_pairs(people, key=key, rooms=len(sizes)) if sizes else 0
    return _improve(groups, cost, rng, floor=floor)


# --- CSV pre-assignment ------------------------------------------------------------------


def from_csv(text: str, people: Sequence[Person]) -> CsvAssignment:
    """Groups decided in a spreadsheet before the session, matched to the people who came.

    A row matches by email (a person's `email:` tag) when that finds someone, else by name,
    ignoring case and extra spaces. Rows that match nobody, or more than one person, or
    someone already placed, come back in `unmatched_rows` with a reason.
    """
    by_email = _index(people, lambda p: p.tag("email") or "")
    by_name = _index(people, lambda p: p.name)
    groups: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    placed: dict[str, int] = {}
    unmatched: list[CsvRow] = []
    for row in _csv_rows(text):
        person_id, reason = _match(row, by_email, by_name)
        if person_id in placed:
            reason = f"already placed on line {placed[person_id]}"
        if not row.group:
            reason = "no group"
        if person_id is None or reason:
            unmatched.append(replace(row, reason=reason))
            continue
        placed[person_id] = row.line
        names.setdefault(_norm(row.group), row.group)
        groups.setdefault(_norm(row.group), []).append(person_id)
    unassigned = [p.id for p in people if p.id not in placed]
    return CsvAssignment(list(groups.values()), list(names.values()), unmatched, unassigned)


def _csv_rows(text: str) -> list[CsvRow]:
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip().lower() for c in next(reader, [])]
    if "name" not in columns or "group" not in columns:
        raise InvalidRequest("the CSV needs a header with name and group columns")
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        cell = dict(zip(columns, (c.strip() for c in cells), strict=False))
        rows.append(
            CsvRow(
                reader.line_num, cell.get("name", ""), cell.get("email", ""), cell.get("group", "")
            )
        )
    return rows


def _index(people: Iterable[Person], field: Callable[[Person], str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for p in people:
        if value := _norm(field(p)):
            index.setdefault(value, []).append(p.id)
    return index


def _match(
    row: CsvRow, by_email: Mapping[str, list[str]], by_name: Mapping[str, list[str]]
) -> tuple[str | None, str]:
    found = by_email.get(_norm(row.email)) or by_name.get(_norm(row.name)) or []
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, f"matches {len(found)} people"
    return None, "no such person"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- manual changes ----------------------------------------------------------------------


def move(allocation: Allocation, person_id: str, to_group: int) -> Allocation:
    """The facilitator overrides the split; the old allocation stays valid for undo."""
    _check_room(allocation, to_group)
    if _room_of(allocation, person_id) is None:
        raise UnknownPerson(f"{person_id!r} is not in any room")
    return _moved(allocation, person_id, to_group)


def choose(
    allocation: Allocation, person_id: str, room: int, capacity: int | Sequence[int]
) -> Allocation:
    """Participants pick their own room (open space style) until it is full.

    `capacity` is one limit for every room or one per room. Choosing again switches rooms.
    """
    _check_room(allocation, room)
    limits = [capacity] * len(allocation) if isinstance(capacity, int) else list(capacity)
    if len(limits) != len(allocation) or any(limit < 0 for limit in limits):
        raise InvalidRequest("give one non-negative capacity, or one per room")
    if person_id not in allocation[room] and len(allocation[room]) >= limits[room]:
        raise RoomFull(f"room {room} is full ({limits[room]} places)")
    return _moved(allocation, person_id, room)


def place_late_joiner(allocation: Allocation, person_id: str) -> Allocation:
    """Someone arrives after the split: the smallest room (the first on a tie) grows least."""
    if not allocation:
        raise NoRooms("there are no rooms yet")
    if _room_of(allocation, person_id) is not None:
        raise AlreadyPlaced(f"{person_id!r} is already in a room")
    smallest = min(range(len(allocation)), key=lambda i: len(allocation[i]))
    return _moved(allocation, person_id, smallest)


def _check_room(allocation: Allocation, room: int) -> None:
    if not 0 <= room < len(allocation):
        raise UnknownRoom(f"there is no room {room}")


def _room_of(allocation: Allocation, person_id: str) -> int | None:
    return next((i for i, group in enumerate(allocation) if person_id in group), None)


def _moved(allocation: Allocation, person_id: str, room: int) -> Allocation:
    if person_id in allocation[room]:
        return [list(group) for group in allocation]
    groups = [[p for p in group if p != person_id] for group in allocation]
    groups[room].append(person_id)
    return groups


# --- construction and local search -------------------------------------------------------


def _sorted(people: Sequence[Person]) -> list[Person]:
    ordered = sorted(people, key=lambda p: p.id)
    for a, b in pairwise(ordered):
        if a.id == b.id:
            raise InvalidRequest(f"person id {a.id!r} appears twice")
    return ordered


def _deal(ordered: Sequence[str], sizes: Sequence[int]) -> Allocation:
    """Seat by seat across the rooms (first seat of every room, then the second, ...).

    Sizes come largest first, so any run of at most len(sizes) consecutive people lands in
    different rooms, and a longer run is spread as evenly as it can be.
    """
    seats = [
        room for slot in range(max(sizes, default=0)) for room, s in enumerate(sizes) if slot < s
    ]
    groups: Allocation = [[] for _ in sizes]
    for person_id, room in zip(ordered, seats, strict=True):
        groups[room].append(person_id)
    return groups


def _shares(counts: Mapping[str, int], ratio: Mapping[str, float] | None) -> dict[str, float]:
    if not ratio:
        return {}
    if any(weight <= 0 for weight in ratio.values()):
        raise InvalidRequest("ratio weights must be positive")
    named = {v: w for v, w in ratio.items() if counts.get(v)}
    if not named:
        return {}
    n = sum(counts.values())
    shares = {v: c / n for v, c in counts.items() if v not in named}
    rest, total = 1 - sum(shares.values()), sum(named.values())
    return shares | {v: rest * w / total for v, w in named.items()}


@dataclass(frozen=True)
class _Cost:
    """Hard violations (same value in a room, mix off the ratio) outweigh all repeats together."""

    apart: Mapping[str, str]
    met: Mapping[str, set[str]]
    bucket: Mapping[str, str]
    share: Mapping[str, float]
    hard: float

    @staticmethod
    def build(
        people: Sequence[Person],
        history: Iterable[Pair],
        *,
        apart_key: str | None = None,
        bucket_key: str | None = None,
        share: Mapping[str, float] | None = None,
    ) -> _Cost:
        met: dict[str, set[str]] = {}
        for pair in history:
            if len(pair) == 2:
                a, b = sorted(pair)
                met.setdefault(a, set()).add(b)
                met.setdefault(b, set()).add(a)
        apart = {p.id: v for p in people if apart_key and (v := p.kin(apart_key)) is not None}
        bucket = {p.id: (p.tag(bucket_key) or "") if bucket_key else "" for p in people}
        return _Cost(apart, met, bucket, share or {}, float(len(people) ** 2 + 1))

    def pair(self, a: str, b: str) -> float:
        value = self.apart.get(a)
        clash = value is not None and value == self.apart.get(b)
        return self.hard * clash + (b in self.met.get(a, ()))

    def mix(self, group: Sequence[str]) -> float:
        counts = Counter(self.bucket[p] for p in group)
        return self.hard * sum((counts[v] - len(group) * s) ** 2 for v, s in self.share.items())

    def conflicts(self, person: str, group: Sequence[str]) -> float:
        return sum(self.pair(person, other) for other in group if other != person)

    def suspect(self, person: str, group: Sequence[str]) -> bool:
        """Only people in a conflict, or of a kind their room has too many of, are worth moving."""
        if self.conflicts(person, group) > 0:
            return True
        share = self.share.get(self.bucket[person])
        if share is None:
            return False
        alike = sum(self.bucket[p] == self.bucket[person] for p in group)
        return alike - len(group) * share > _EPS

    def total(self, groups: Allocation) -> float:
        pairs = sum(self.pair(a, b) for g in groups for a, b in combinations(g, 2))
        return pairs + (sum(self.mix(g) for g in groups) if self.share else 0)

    def delta(self, gi: list[str], a: str, gj: list[str], b: str) -> float:
        change = sum(self.pair(b, x) - self.pair(a, x) for x in gi if x != a)
        change += sum(self.pair(a, y) - self.pair(b, y) for y in gj if y != b)
        if self.share and self.bucket[a] != self.bucket[b]:
            new_i = [b if x == a else x for x in gi]
            new_j = [a if y == b else y for y in gj]
            change += self.mix(new_i) + self.mix(new_j) - self.mix(gi) - self.mix(gj)
        return change


def _improve(
    groups: Allocation, cost: _Cost, rng: Random, *, floor: float = 0.0, same_bucket: bool = False
) -> Allocation:
    """Swap people between rooms while that lowers the cost, with a random kick when stuck.

    Swaps keep every room's size. The search is bounded by a fixed amount of work and only
    draws from `rng`, so it is fast and repeatable, and it returns the best allocation seen.
    """
    where = {p: i for i, group in enumerate(groups) for p in group}
    current = cost.total(groups)
    best, best_cost, stale, spent = [list(g) for g in groups], current, 0, 0
    while best_cost > floor + _EPS and stale < _PATIENCE and spent < _BUDGET:
        suspects = [p for g in groups for p in g if cost.suspect(p, g)]
        rng.shuffle(suspects)
        moved = False
        for person in suspects:
            if spent >= _BUDGET:
                break
            spent += _work(groups, where[person])
            delta, other = min(_swaps(groups, where, cost, person, same_bucket), default=(0, ""))
            if delta < -_EPS:
                _swap(groups, where, person, other)
                current, moved = current + delta, True
        stuck = [p for p in suspects if cost.conflicts(p, groups[where[p]]) > 0]
        if not moved and not stuck:
            break
        if not moved:
            person = rng.choice(stuck)
            spent += _work(groups, where[person])
            swaps = _swaps(groups, where, cost, person, same_bucket)
            soft = [swap for swap in swaps if swap[0] < cost.hard]
            if soft:
                delta, other = rng.choice(soft)
                _swap(groups, where, person, other)
                current += delta
        if current < best_cost - _EPS:
            best, best_cost, stale = [list(g) for g in groups], current, 0
        else:
            stale += 1
    return best


def _work(groups: Allocation, home: int) -> int:
    """Pair look-ups one person's swap scan costs: the unit of the search budget."""
    size = len(groups[home])
    return sum(len(g) * (size + len(g)) for i, g in enumerate(groups) if i != home)


def _swaps(
    groups: Allocation, where: Mapping[str, int], cost: _Cost, person: str, same_bucket: bool
) -> list[tuple[float, str]]:
    home = groups[where[person]]
    return [
        (cost.delta(home, person, group, other), other)
        for i, group in enumerate(groups)
        if i != where[person]
        for other in group
        if not same_bucket or cost.bucket[other] == cost.bucket[person]
    ]


def _swap(groups: Allocation, where: dict[str, int], a: str, b: str) -> None:
    i, j = where[a], where[b]
    groups[i][groups[i].index(a)] = b
    groups[j][groups[j].index(b)] = a
    where[a], where[b] = j, i
