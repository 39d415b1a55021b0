"""Breakout allocation, as a facilitator would check it: everyone has a room, rooms are
even, trios cross organisations, nobody meets the same peer twice, and a seed replays."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from random import Random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.breakouts import (
    AlreadyPlaced,
    BreakoutError,
    InvalidRequest,
    NoRooms,
    Pair,
    Person,
    RoomFull,
    UnknownPerson,
    UnknownRoom,
    balanced_by_tag,
    choose,
    from_csv,
    group_sizes,
    keep_apart,
    min_same_tag_pairs,
    move,
    pairs_of,
    place_late_joiner,
    random_groups,
    same_tag_pairs,
)

Allocate = Callable[..., list[list[str]]]
Sizing = dict[str, Any]
ORGS = ["Valtori", "Kela", "VM", "THL", "Traficom"]
KINDS = ["supervisor", "newcomer", "expert"]
BOUNDED = settings(max_examples=100, deadline=None, database=None)  # no .hypothesis/ in the tree


@st.composite
def crowds(draw: st.DrawFn, max_size: int = 30) -> list[Person]:
    people: list[Person] = []
    for i in range(draw(st.integers(0, max_size))):
        org = draw(st.sampled_from([*ORGS, None]))
        kind = draw(st.sampled_from([*KINDS, None]))
        tags = tuple(t for t in (org and f"org:{org}", kind and f"kind:{kind}") if t)
        people.append(Person(f"p{i:02d}", f"Person {i}", tags))
    return people


sizings = st.one_of(
    st.integers(1, 8).map(lambda r: {"rooms": r}),
    st.integers(1, 6).map(lambda g: {"group_size": g}),
)
strategies: list[Allocate] = [random_groups, balanced_by_tag, keep_apart]


def kinds(allocation: list[list[str]], people: list[Person]) -> list[Counter[str | None]]:
    kind = {p.id: p.tag("kind") for p in people}
    return [Counter(kind[p] for p in group) for group in allocation]


# --- room sizes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "size", "expected"),
    [
        (10, 3, [4, 3, 3]),
        (11, 3, [4, 4, 3]),
        (9, 3, [3, 3, 3]),
        (4, 3, [4]),
        (2, 3, [2]),
        (1, 3, [1]),
        (5, 3, [3, 2]),
        (9, 5, [5, 4]),
        (0, 3, []),
        (90, 3, [3] * 30),
    ],
)
def test_leftovers_join_existing_rooms_rather_than_forming_a_tiny_one(
    n: int, size: int, expected: list[int]
) -> None:
    assert group_sizes(n, group_size=size) == expected


def test_a_fixed_number_of_rooms_is_kept_even_when_some_stay_empty() -> None:
    assert group_sizes(10, rooms=4) == [3, 3, 2, 2]
    assert group_sizes(2, rooms=3) == [1, 1, 0]


@pytest.mark.parametrize(
    "kwargs", [{}, {"rooms": 2, "group_size": 3}, {"rooms": 0}, {"group_size": 0}]
)
def test_sizes_need_exactly_one_positive_rule(kwargs: dict[str, int]) -> None:
    with pytest.raises(InvalidRequest):
        group_sizes(10, **kwargs)


@BOUNDED
@given(st.integers(0, 200), st.integers(1, 12))
def test_target_sizes_are_even_and_never_leave_anyone_alone(n: int, size: int) -> None:
    sizes = group_sizes(n, group_size=size)
    assert sum(sizes) == n
    assert sizes == sorted(sizes, reverse=True)
    assert not sizes or sizes[0] - sizes[-1] <= 1
    assert size == 1 or n < 2 or min(sizes) >= 2
    if size == 3 and n not in (1, 2, 5):
        assert all(s >= 3 for s in sizes)


# --- every strategy ------------------------------------------------------------------------


@pytest.mark.parametrize("allocate", strategies)
@BOUNDED
@given(people=crowds(), sizing=sizings, seed=st.integers(0, 2**32))
def test_everyone_gets_exactly_one_room_and_rooms_are_even(
    allocate: Allocate, people: list[Person], sizing: Sizing, seed: int
) -> None:
    allocation = allocate(people, rng=Random(seed), **sizing)
    assert sorted(p for group in allocation for p in group) == sorted(p.id for p in people)
    assert sorted(map(len, allocation), reverse=True) == group_sizes(len(people), **sizing)


@pytest.mark.parametrize("allocate", strategies)
@settings(BOUNDED, max_examples=50)
@given(people=crowds(), sizing=sizings, seed=st.integers(0, 2**32), order=st.randoms())
def test_the_same_seed_replays_the_same_rooms_whatever_the_input_order(
    allocate: Allocate, people: list[Person], sizing: Sizing, seed: int, order: Random
) -> None:
    history = pairs_of(random_groups(people, rng=Random(seed + 1), **sizing))
    first = allocate(people, rng=Random(seed), history=history, **sizing)
    shuffled = list(people)
    order.shuffle(shuffled)
    assert allocate(shuffled, rng=Random(seed), history=history, **sizing) == first


def test_duplicate_ids_are_refused() -> None:
    twins = [Person("a", "Anna"), Person("a", "Anni")]
    with pytest.raises(InvalidRequest):
        random_groups(twins, rooms=1, rng=Random(1))


# --- balanced by tag -----------------------------------------------------------------------


@BOUNDED
@given(people=crowds(), sizing=sizings, seed=st.integers(0, 2**32))
def test_without_a_ratio_each_kind_is_spread_evenly(
    people: list[Person], sizing: Sizing, seed: int
) -> None:
    history = pairs_of(random_groups(people, rng=Random(seed + 1), **sizing))
    allocation = balanced_by_tag(people, rng=Random(seed), history=history, **sizing)
    counts = kinds(allocation, people)
    for kind in [*KINDS, None]:
        per_room = [c[kind] for c in counts]
        assert not per_room or max(per_room) - min(per_room) <= 1


@BOUNDED
@given(
    rooms=st.integers(1, 6),
    mix=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    seed=st.integers(0, 2**32),
)
def test_a_ratio_is_met_exactly_when_the_head_counts_allow(
    rooms: int, mix: tuple[int, int], seed: int
) -> None:
    supervisors, newcomers = mix
    people = [Person(f"s{i}", f"S{i}", ("kind:supervisor",)) for i in range(rooms * supervisors)]
    people += [Person(f"n{i}", f"N{i}", ("kind:newcomer",)) for i in range(rooms * newcomers)]
    ratio = {"supervisor": supervisors, "newcomer": newcomers}
    allocation = balanced_by_tag(people, ratio=ratio, rooms=rooms, rng=Random(seed))
    for count in kinds(allocation, people):
        assert count == Counter({"supervisor": supervisors, "newcomer": newcomers})


@pytest.mark.parametrize("sizing", [{"rooms": 6}, {"group_size": 3}])
def test_reverse_mentoring_groups_get_one_supervisor_and_two_newcomers(
    sizing: Sizing,
) -> None:
    people = [Person(f"s{i}", f"Supervisor {i}", ("kind:supervisor",)) for i in range(6)]
    people += [Person(f"n{i}", f"Newcomer {i}", ("kind:newcomer",)) for i in range(12)]
    ratio = {"supervisor": 1, "newcomer": 2}
    allocation = balanced_by_tag(people, ratio=ratio, rng=Random(7), **sizing)
    assert len(allocation) == 6
    assert all(c == Counter({"supervisor": 1, "newcomer": 2}) for c in kinds(allocation, people))


def test_reverse_mentoring_groups_rotate_for_four_rounds_without_meeting_twice() -> None:
    people = [Person(f"s{i}", f"Supervisor {i}", ("kind:supervisor",)) for i in range(6)]
    people += [Person(f"n{i:02d}", f"Newcomer {i}", ("kind:newcomer",)) for i in range(12)]
    ratio = {"supervisor": 1, "newcomer": 2}
    rng, history = Random(3), set[Pair]()
    for _ in range(4):
        allocation = balanced_by_tag(people, ratio=ratio, rooms=6, rng=rng, history=history)
        assert all(
            c == Counter({"supervisor": 1, "newcomer": 2}) for c in kinds(allocation, people)
        )
        assert not pairs_of(allocation) & history
        history |= pairs_of(allocation)


def test_a_ratio_the_counts_cannot_meet_still_spreads_the_scarce_kind() -> None:
    people = [Person(f"s{i}", f"S{i}", ("kind:supervisor",)) for i in range(4)]
    people += [Person(f"n{i}", f"N{i}", ("kind:newcomer",)) for i in range(14)]
    allocation = balanced_by_tag(
        people, ratio={"supervisor": 1, "newcomer": 2}, group_size=3, rng=Random(3)
    )
    assert sorted(c["supervisor"] for c in kinds(allocation, people)) == [0, 0, 1, 1, 1, 1]


def test_a_ratio_with_a_non_positive_weight_is_refused() -> None:
    people = [Person("s", "S", ("kind:supervisor",)), Person("n", "N", ("kind:newcomer",))]
    with pytest.raises(InvalidRequest):
        balanced_by_tag(people, ratio={"supervisor": 0, "newcomer": 1}, rooms=1, rng=Random(1))


# --- keep apart and history ----------------------------------------------------------------


@BOUNDED
@given(people=crowds(), sizing=sizings, seed=st.integers(0, 2**32))
def test_colleagues_share_a_room_only_as_often_as_unavoidable(
    people: list[Person], sizing: Sizing, seed: int
) -> None:
    history = pairs_of(keep_apart(people, rng=Random(seed + 1), **sizing))
    allocation = keep_apart(people, rng=Random(seed), history=history, **sizing)
    floor = min_same_tag_pairs(people, key="org", rooms=len(allocation))
    assert same_tag_pairs(allocation, people, "org") == floor


def test_the_minimum_is_zero_exactly_when_no_org_outnumbers_the_rooms() -> None:
    people = [Person(f"p{i}", f"P{i}", ("org:Kela",)) for i in range(4)]
    assert min_same_tag_pairs(people, key="org", rooms=4) == 0
    assert min_same_tag_pairs(people, key="org", rooms=3) == 1
    assert min_same_tag_pairs(people, key="org", rooms=1) == 6


def test_random_trios_over_three_rounds_never_repeat_a_pair() -> None:
    people = [Person(f"p{i:02d}", f"P{i}") for i in range(18)]
    rng, history = Random(11), set[Pair]()
    for _ in range(3):
        allocation = random_groups(people, group_size=3, rng=rng, history=history)
        assert not pairs_of(allocation) & history
        history |= pairs_of(allocation)


def field_case_supervisors() -> list[Person]:
    """90 supervisors from 50 organisations: a few agencies send 3-5, most send one or two."""
    org_sizes = [5] * 3 + [4] * 5 + [3] + [2] * 11 + [1] * 30
    assert (sum(org_sizes), len(org_sizes)) == (90, 50)
    order = Random(2024)
    order.shuffle(org_sizes)
    people: list[Person] = []
    for org, size in enumerate(org_sizes):
        for _ in range(size):
            n = len(people)
            tags = (f"org:Org{org:02d}", "kind:supervisor", f"email:s{n:02d}@valtioneuvosto.fi")
            people.append(Person(f"s{n:02d}", f"Supervisor {n}", tags))
    return people


def test_field_case_90_supervisors_in_cross_org_trios_over_four_rounds() -> None:
    people = field_case_supervisors()
    largest_org = max(Counter(p.tag("org") for p in people).values())
    rooms = len(group_sizes(len(people), group_size=3))
    floor = min_same_tag_pairs(people, key="org", rooms=rooms)
    assert largest_org <= rooms and floor == 0  # feasible: every org fits one person per trio
    rng, history = Random(2025), set[Pair]()
    print(f"\nfield case: 90 supervisors, 50 orgs, largest org {largest_org}, lower bound {floor}")
    for round_no in range(1, 5):
        started = time.perf_counter()
        allocation = keep_apart(people, group_size=3, rng=rng, history=history)
        took = time.perf_counter() - started
        same_org = same_tag_pairs(allocation, people, "org")
        repeats = len(pairs_of(allocation) & history)
        print(
            f"round {round_no}: {len(allocation)} trios, same-org pairs {same_org}, "
            f"repeated pairs {repeats}, {took * 1000:.1f} ms"
        )
        assert (len(allocation), same_org, repeats) == (30, floor, 0)
        assert took < 1.0
        history |= pairs_of(allocation)
    assert len(history) == 4 * 90


# --- CSV pre-assignment --------------------------------------------------------------------

CSV_PEOPLE = [
    Person("p1", "Anna Virtanen", ("email:anna.virtanen@vm.fi",)),
    Person("p2", "Björn Ek", ()),
    Person("p3", "Mika Laine", ()),
    Person("p4", "Mika Laine", ()),
    Person("p5", "Sari Koski", ()),
]


def test_a_prepared_csv_puts_people_in_its_named_groups() -> None:
    text = (
        "name,email,group\n"
        "Someone Else,ANNA.VIRTANEN@vm.fi,Trio A\n"
        "  björn   EK ,,Trio B\n"
        "Sari Koski,,trio a\n"
    )
    result = from_csv(text, CSV_PEOPLE)
    assert result.allocation == [["p1", "p5"], ["p2"]]
    assert result.group_names == ["Trio A", "Trio B"]
    assert result.unmatched_rows == []
    assert result.unassigned_ids == ["p3", "p4"]


def test_csv_rows_that_match_nobody_or_several_come_back_with_a_reason() -> None:
    rows = ["Name,Group", "Mika Laine,1", "Nobody Here,1", "Anna Virtanen,2", "Anna Virtanen,3"]
    text = "\n".join([*rows, "Björn Ek,"])
    result = from_csv(text, CSV_PEOPLE)
    assert result.allocation == [["p1"]]
    assert result.group_names == ["2"]
    reasons = [(r.line, r.name, r.reason) for r in result.unmatched_rows]
    assert reasons == [
        (2, "Mika Laine", "matches 2 people"),
        (3, "Nobody Here", "no such person"),
        (5, "Anna Virtanen", "already placed on line 4"),
        (6, "Björn Ek", "no group"),
    ]
    assert result.unassigned_ids == ["p2", "p3", "p4", "p5"]


def test_a_finnish_excel_export_with_semicolons_and_bom_is_read() -> None:
    text = "\ufeffname;email;group\r\nSari Koski;;Ryhmä 1\r\n\r\nBjörn Ek;;Ryhmä 1\r\n"
    result = from_csv(text, CSV_PEOPLE)
    assert result.allocation == [["p5", "p2"]]
    assert result.group_names == ["Ryhmä 1"]


def test_a_csv_without_a_group_column_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        from_csv("name,email\nSari Koski,\n", CSV_PEOPLE)


# --- manual changes ------------------------------------------------------------------------


def test_a_manual_move_returns_a_new_allocation_and_keeps_the_old_one() -> None:
    before = [["a", "b"], ["c"]]
    after = move(before, "a", 1)
    assert after == [["b"], ["c", "a"]]
    assert before == [["a", "b"], ["c"]]
    assert move(before, "c", 1) == before


def test_moving_someone_absent_or_to_a_missing_room_is_refused() -> None:
    with pytest.raises(UnknownPerson):
        move([["a"], []], "z", 1)
    with pytest.raises(UnknownRoom):
        move([["a"], []], "a", 2)


def test_participants_choose_rooms_until_they_are_full() -> None:
    rooms: list[list[str]] = [[], []]
    rooms = choose(rooms, "a", 0, capacity=2)
    rooms = choose(rooms, "b", 0, capacity=2)
    with pytest.raises(RoomFull):
        choose(rooms, "c", 0, capacity=2)
    assert choose(rooms, "a", 0, capacity=2) == rooms
    assert choose(rooms, "a", 1, capacity=2) == [["b"], ["a"]]
    assert choose(rooms, "c", 1, capacity=[2, 1]) == [["a", "b"], ["c"]]
    with pytest.raises(UnknownRoom):
        choose(rooms, "c", 5, capacity=2)
    with pytest.raises(InvalidRequest):
        choose(rooms, "c", 1, capacity=[2])


def test_a_late_joiner_goes_to_the_smallest_room_first_on_a_tie() -> None:
    assert place_late_joiner([["a", "b"], ["c"], ["d"]], "e") == [["a", "b"], ["c", "e"], ["d"]]
    with pytest.raises(AlreadyPlaced):
        place_late_joiner([["a"]], "a")
    with pytest.raises(NoRooms):
        place_late_joiner([], "a")


def test_every_breakout_error_is_a_value_error() -> None:
    for error in (InvalidRequest, UnknownPerson, UnknownRoom, RoomFull, AlreadyPlaced, NoRooms):
        assert issubclass(error, BreakoutError) and issubclass(error, ValueError)


def test_one_organisation_however_it_is_typed_is_kept_apart() -> None:
    """ "Kela", "KELA" and " kela " are one organisation: with three rooms for three of
    them, no two share a room."""
    typed = ["Kela", "KELA", " kela ", "Valtori", "valtori", "THL"]
    people = [Person(f"p{i}", f"P{i}", (f"org:{org}",)) for i, org in enumerate(typed)]
    for seed in range(20):
        groups = keep_apart(people, key="org", rooms=3, rng=Random(seed))
        assert same_tag_pairs(groups, people, "org") == 0, groups
    assert min_same_tag_pairs(people, key="org", rooms=2) == 1  # Kela 2+1; Valtori 1+1
