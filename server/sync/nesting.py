"""How deeply a Yjs update nests, measured before pycrdt ever decodes it.

pycrdt's native decoder and its readers recurse into nested values: an array nested 100,000
deep (two bytes a level) overflows the process's stack and kills every session with it, and
20,000 levels pass the apply only to crash whatever reads the board later; browsers fail
the same way a little deeper than 10,000. So every update from outside — a socket, an
import, a peer on the bus, the store — is walked here first, without recursion, and refused
when a value nests inside values, or a shared type inside shared types, deeper than
`MAX_DEPTH`. Paja's own boards nest shared types two deep (notes → note → text) and
`control` nests plain values about five deep, so the bound leaves room for other clients
while staying a thousand times inside what any reader survives.

The depth of a value is known from the update alone. The depth of a shared type is not:
an item names its parent only when it has no neighbour, and otherwise inherits its
neighbour's, which may have arrived in any earlier update. `Nesting` therefore keeps, per
document, the parent depth of every item as runs of clocks per client (a few bytes a run,
merged while consecutive items share a depth, which is nearly always), and resolves an
item's parent through its neighbours as Yjs does. A reference to an item this document has
not seen yet (it waits in pycrdt's pending set until that item comes) could end up under any
type, so it is taken to sit at the bound: a shared type there is refused, and no chain of
such references can build a deep tree unnoticed. Paja's clients never send one (they
write on what the server sent them); a peer's update that does is healed by the next
catch-up with that peer, which carries the missing items too.

The walk follows the update format v1 of Yjs (`encodeStateAsUpdate`): per client, a run of
structs (GC, Skip or Item with its origins, parent and content), then the delete set.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

MAX_DEPTH = 32

# Item content kinds (the low five bits of an item's info byte).
_GC, _DELETED, _JSON, _BINARY, _STRING, _EMBED, _FORMAT, _TYPE, _ANY, _DOC, _SKIP = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
)  # fmt: skip
_HAS_ORIGIN, _HAS_RIGHT_ORIGIN, _HAS_PARENT_SUB = 0x80, 0x40, 0x20
_XML_ELEMENT, _XML_HOOK = 3, 5  # type refs that carry a name
# lib0 `any` tags
_UNDEFINED, _NULL, _INTEGER, _FLOAT32, _FLOAT64, _BIGINT, _FALSE, _TRUE = (
    127, 126, 125, 124, 123, 122, 121, 120,
)  # fmt: skip
_STRING_VALUE, _OBJECT, _ARRAY, _BYTES = 119, 118, 117, 116
_FIXED_SIZE = {_UNDEFINED: 0, _NULL: 0, _FALSE: 0, _TRUE: 0, _FLOAT32: 4, _FLOAT64: 8, _BIGINT: 8}
_JSON_SYNTAX = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_UNKNOWN = -1
# pycrdt (yrs) keeps clocks as 32-bit integers: a larger one wraps around, and the fuzz test
# saw such updates make it panic, or leave a board that panics when encoded (every joiner
# then failed). No client gets near: it would take four billion edits of one client id.
MAX_CLOCK = 0xFFFFFFFF
_ANY_CLOCK = 1 << 128  # past any varint the walk reads


class TooDeep(ValueError):
    """An update whose values or shared types nest deeper than `MAX_DEPTH`."""


class Malformed(ValueError):
    """Bytes that are not a Yjs update (pycrdt would refuse them too, or worse)."""


class _Runs:
    """One client's items as runs of clocks, each with the depth of its items' parent:
    three parallel lists, appended to in clock order (nearly always) and merged while
    consecutive items share a depth, so a board's whole history is a few runs a client."""

    __slots__ = ("depths", "ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.depths: list[int] = []

    def find(self, clock: int) -> int:
        starts = self.starts
        if starts and clock >= starts[-1]:  # most references name a recent item
            i = len(starts) - 1
        else:
            i = bisect_right(starts, clock) - 1
        if i >= 0 and clock < self.ends[i]:
            return self.depths[i]
        return _UNKNOWN

    def add(self, start: int, end: int, depth: int) -> None:
        ends = self.ends
        if not ends or start >= ends[-1]:
            if ends and start == ends[-1] and depth == self.depths[-1]:
                ends[-1] = end
            else:
                self.starts.append(start)
                ends.append(end)
                self.depths.append(depth)
            return
        i = bisect_right(self.starts, start)
        if (i > 0 and start < ends[i - 1]) or (i < len(ends) and end > self.starts[i]):
            return  # already known: a repeat (items never change, nor do their parents)
        self.starts.insert(i, start)
        ends.insert(i, end)
        self.depths.insert(i, depth)


@dataclass(slots=True)
class Scan:
    """What one update adds to a document's nesting (kept once pycrdt accepts it), and for
    a sanitised update the items whose content is replaced: (info byte at, content from,
    content to, length in clocks)."""

    runs: dict[int, _Runs] = field(default_factory=dict)
    neutralised: list[tuple[int, int, int, int]] = field(default_factory=list)


class Nesting:
    """The parent depth of every item of one document (see the module docstring)."""

    __slots__ = ("_clients",)

    def __init__(self) -> None:
        self._clients: dict[int, _Runs] = {}

    def check(self, update: bytes) -> Scan:
        """Walk `update`; TooDeep or Malformed when it must not reach pycrdt. Hand the
        result to `keep` once the update is applied."""
        return _walk(self, update, neutralise=False)

    def keep(self, scan: Scan) -> None:
        for client, new in scan.runs.items():
            runs = self._clients.get(client)
            if runs is None:
                self._clients[client] = new
                continue
            for start, end, depth in zip(new.starts, new.ends, new.depths, strict=True):
                runs.add(start, end, depth)

    def admit(self, update: bytes) -> None:
        """Check and keep an update about to be applied (should pycrdt still refuse it as
        corrupt, its items stay known, which errs on the deep side only)."""
        self.keep(self.check(update))

    def sanitise(self, update: bytes) -> tuple[bytes, int]:
        """For data already stored: the update with every too-deep item neutralised (see
        `_neutralised`), and how many were. Kept at once. Malformed still raises."""
        scan = _walk(self, update, neutralise=True)
        self.keep(scan)
        return _neutralised(update, scan), len(scan.neutralised)

    def parent_depth(self, client: int, clock: int) -> int:
        runs = self._clients.get(client)
        return _UNKNOWN if runs is None else runs.find(clock)


def sanitise_values(update: bytes) -> bytes:
    """Stored data folded outside a live document (a compaction, an export of a board not
    loaded): only values can crash pycrdt's apply, so only they are neutralised here; a
    deep tree of shared types harms nothing until read, and every read goes through a
    loaded document, which `Nesting.sanitise` guards. Malformed raises."""
    return _neutralised(update, _walk(Nesting(), update, neutralise=True, types=False))


def _neutralised(update: bytes, scan: Scan) -> bytes:
    """The update with each neutralised item's content replaced by a deleted range of the
    same length: ids, clocks, origins and parents stay, so the rest of the document
    integrates as before, and readers see the item as deleted."""
    if not scan.neutralised:
        return update
    out = bytearray()
    at = 0
    for info_at, start, end, length in sorted(scan.neutralised):
        out += update[at:info_at]
        out.append((update[info_at] & ~0x1F) | _DELETED)
        out += update[info_at + 1 : start]
        out += _var_uint(length)
        at = end
    out += update[at:]
    return bytes(out)


# An item waiting for the item it names: client, clock, length, ref client, ref clock,
# whether ref is the parent type itself (not a neighbour), is it a type, info byte at,
# content from, content to.
_Waiting = tuple[int, int, int, int, int, bool, bool, int, int, int]


def _walk(nesting: Nesting, data: bytes, *, neutralise: bool, types: bool = True) -> Scan:
    """One pass over one update, with its state in locals and explicit stacks (never
    recursion); the hot path of every edit, hence written flat."""
    scan = Scan()
    seen = scan.runs
    # Stored updates are neutralised, not judged: for them no clock is too large.
    max_clock = _ANY_CLOCK if neutralise else MAX_CLOCK
    waiting: list[_Waiting] = []
    end = len(data)
    try:
        clients, pos = _uint(data, 0)
        listed: set[int] = set()
        for _ in range(clients):
            count, pos = _uint(data, pos)
            # No encoder writes a client with no structs, and pycrdt panics on one for a
            # client it knows. Stored data keeps any (taken only for clients then unknown,
            # which they still are when the log is applied again in its order; where not,
            # the panic is a corrupt log, server/store/documents.py).
            if count == 0 and not neutralise:
                raise Malformed("a client with no structs")
            client, pos = _uint(data, pos)
            clock, pos = _uint(data, pos)
            # Encoders list each client once; an update listing one twice was seen to make
            # pycrdt panic when applied a second time (a re-sync, a compaction).
            if client in listed and not neutralise:
                raise Malformed("a client listed twice")
            listed.add(client)
            runs = seen.get(client)
            if runs is None:
                runs = seen[client] = _Runs()
            for _ in range(count):
                info_at = pos
                info = data[pos]
                pos += 1
                kind = info & 0x1F
                if kind == _GC or kind == _SKIP:
                    length, pos = _uint(data, pos)
                    if kind == _GC:  # collected: an item naming it as neighbour is collected too
                        runs.add(clock, clock + length, 0)
                    clock += length
                    continue
                ref_client = ref_clock = -1
                under_type = False
                if info & _HAS_ORIGIN:
                    ref_client, pos = _uint(data, pos)
                    ref_clock, pos = _uint(data, pos)
                if info & _HAS_RIGHT_ORIGIN:
                    if ref_client < 0:
                        ref_client, pos = _uint(data, pos)
                        ref_clock, pos = _uint(data, pos)
                    else:
                        right_clock, pos = _uint(data, _skip_uint(data, pos))
                        if right_clock > max_clock:
                            raise Malformed("a clock past 32 bits")
                if ref_client < 0:
                    root, pos = _uint(data, pos)
                    if root == 1:
                        pos = _skip_bytes(data, pos)  # a root type's name
                    else:
                        ref_client, pos = _uint(data, pos)
                        ref_clock, pos = _uint(data, pos)
                        under_type = True
                    if info & _HAS_PARENT_SUB:
                        pos = _skip_bytes(data, pos)
                if ref_clock > max_clock:
                    raise Malformed("a clock past 32 bits")
                start = pos
                length, value_depth, is_type, pos = _content(data, pos, kind)
                if pos > end:
                    raise Malformed("length past the end of the update")
                if value_depth > MAX_DEPTH:
                    if not neutralise:
                        raise TooDeep(f"a value nests {value_depth} levels deep")
                    scan.neutralised.append((info_at, start, pos, length))
                if ref_client < 0:
                    depth = 0
                else:
                    other = runs if ref_client == client else seen.get(ref_client)
                    depth = other.find(ref_clock) if other is not None else _UNKNOWN
                    if depth == _UNKNOWN:
                        depth = nesting.parent_depth(ref_client, ref_clock)
                    if depth == _UNKNOWN:
                        waiting.append(
                            (client, clock, length, ref_client, ref_clock, under_type,
                             is_type, info_at, start, pos)
                        )  # fmt: skip
                        clock += length
                        continue
                    if under_type:
                        depth += 1
                if is_type and types and depth >= MAX_DEPTH:
                    if not neutralise:
                        raise TooDeep(f"shared types nest {depth + 1} levels deep")
                    scan.neutralised.append((info_at, start, pos, length))
                runs.add(clock, clock + length, min(depth, MAX_DEPTH + 1))
                clock += length
            if clock > max_clock:
                raise Malformed("a clock past 32 bits")
        if waiting and types:
            _resolve(nesting, scan, waiting, neutralise)
        pos = _delete_set(data, pos, max_clock)
    except IndexError as exc:
        raise Malformed("update ends early") from exc
    except UnicodeDecodeError as exc:
        raise Malformed("a string is not UTF-8") from exc
    if pos != end:
        raise Malformed("bytes after the end of the update")
    return scan


def _resolve(nesting: Nesting, scan: Scan, waiting: list[_Waiting], neutralise: bool) -> None:
    """Items that name an item coming later in the update (another client's), or one
    still waiting itself: followed with a stack, each item once, so a long or circular
    chain costs one pass. What stays unknown sits at the bound (module docstring)."""
    seen = scan.runs
    index: dict[int, tuple[list[int], list[int]]] = {}
    for i, item in enumerate(waiting):
        starts, ids = index.setdefault(item[0], ([], []))
        starts.append(item[1])
        ids.append(i)

    def waiting_for(client: int, clock: int) -> int:
        found = index.get(client)
        if found is None:
            return -1
        starts, ids = found
        i = bisect_right(starts, clock) - 1
        if i < 0 or clock >= waiting[ids[i]][1] + waiting[ids[i]][2]:
            return -1
        return ids[i]

    state = bytearray(len(waiting))  # 0 to do, 1 on the stack, 2 settled
    for first in range(len(waiting)):
        if state[first]:
            continue
        stack = [first]
        state[first] = 1
        while stack:
            (
                client,
                clock,
                length,
                ref_client,
                ref_clock,
                under_type,
                is_type,
                info_at,
                start,
                pos,
            ) = waiting[stack[-1]]
            other = waiting_for(ref_client, ref_clock)
            if other >= 0 and state[other] == 0:
                state[other] = 1
                stack.append(other)
                continue
            runs = seen.get(ref_client)
            depth = runs.find(ref_clock) if runs is not None else _UNKNOWN
            if depth == _UNKNOWN:
                depth = nesting.parent_depth(ref_client, ref_clock)
            if depth == _UNKNOWN:
                depth = MAX_DEPTH
            elif under_type:
                depth += 1
            state[stack.pop()] = 2
            if is_type and depth >= MAX_DEPTH:
                if not neutralise:
                    raise TooDeep(f"shared types nest {depth + 1} levels deep")
                scan.neutralised.append((info_at, start, pos, length))
            seen[client].add(clock, clock + length, min(depth, MAX_DEPTH + 1))


def _content(data: bytes, pos: int, kind: int) -> tuple[int, int, bool, int]:
    """Skip one item's content: its length in clocks, how deep its values nest, whether it
    is a shared type, and where it ends."""
    if kind == _ANY:
        count, pos = _uint(data, pos)
        deepest = 0
        for _ in range(count):
            depth, pos = _any(data, pos)
            deepest = max(deepest, depth)
        return count, deepest, False, pos
    if kind == _STRING:
        size, pos = _uint(data, pos)
        text = data[pos : pos + size].decode("utf-8", errors="surrogatepass")
        return len(text.encode("utf-16-le", errors="surrogatepass")) // 2, 0, False, pos + size
    if kind == _DELETED:
        length, pos = _uint(data, pos)
        return length, 0, False, pos
    if kind == _TYPE:
        ref, pos = _uint(data, pos)
        if ref in (_XML_ELEMENT, _XML_HOOK):
            pos = _skip_bytes(data, pos)
        return 1, 0, True, pos
    if kind == _JSON:
        count, pos = _uint(data, pos)
        deepest = 0
        for _ in range(count):
            text, pos = _string(data, pos)
            deepest = max(deepest, json_depth(text))
        return count, deepest, False, pos
    if kind == _BINARY:
        return 1, 0, False, _skip_bytes(data, pos)
    if kind == _EMBED:
        text, pos = _string(data, pos)
        return 1, json_depth(text), False, pos
    if kind == _FORMAT:
        text, pos = _string(data, _skip_bytes(data, pos))
        return 1, json_depth(text), False, pos
    if kind == _DOC:
        depth, pos = _any(data, _skip_bytes(data, pos))
        return 1, depth, False, pos
    raise Malformed(f"unknown item content {kind}")


def _any(data: bytes, pos: int) -> tuple[int, int]:
    """Skip one lib0 `any` value: how deep it nests, and where it ends. A stack of counts
    instead of recursion, read to its end even past the bound (so that a stored item can
    be neutralised whole)."""
    size = _FIXED_SIZE.get(data[pos])
    if size is not None:
        return 0, pos + 1 + size  # the common case: a float, a boolean, null
    deepest = 0
    remaining = 1  # values left in the innermost open container
    keyed = False  # whether that container is an object (a key before each value)
    stack: list[tuple[int, bool]] = []
    end = len(data)
    while True:
        while remaining == 0:
            if not stack:
                return deepest, pos
            remaining, keyed = stack.pop()
        remaining -= 1
        if keyed:
            pos = _skip_bytes(data, pos)
        tag = data[pos]
        pos += 1
        size = _FIXED_SIZE.get(tag)
        if size is not None:
            pos += size
        elif tag == _INTEGER:
            while data[pos] & 0x80:
                pos += 1
            pos += 1
        elif tag == _STRING_VALUE or tag == _BYTES:
            pos = _skip_bytes(data, pos)
        elif tag == _ARRAY or tag == _OBJECT:
            stack.append((remaining, keyed))
            remaining, pos = _uint(data, pos)
            keyed = tag == _OBJECT
            if len(stack) > deepest:
                deepest = len(stack)
        else:
            raise Malformed(f"unknown value tag {tag}")
        if pos > end:
            raise Malformed("value past the end of the update")


def _delete_set(data: bytes, pos: int, max_clock: int) -> int:
    clients, pos = _uint(data, pos)
    for _ in range(clients):
        pos = _skip_uint(data, pos)  # client
        ranges, pos = _uint(data, pos)
        for _ in range(ranges):
            clock, pos = _uint(data, pos)
            length, pos = _uint(data, pos)
            if clock + length > max_clock:
                raise Malformed("a clock past 32 bits")
    return pos


# lib0 primitives


def _uint(data: bytes, pos: int) -> tuple[int, int]:
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    value = byte & 0x7F
    shift = 7
    while True:
        pos += 1
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos + 1
        shift += 7
        if shift > 63:
            raise Malformed("varint too long")


def _skip_uint(data: bytes, pos: int) -> int:
    while data[pos] & 0x80:
        pos += 1
    return pos + 1


def _skip_bytes(data: bytes, pos: int) -> int:
    size, pos = _uint(data, pos)
    return pos + size


def _string(data: bytes, pos: int) -> tuple[str, int]:
    size, pos = _uint(data, pos)
    try:
        return data[pos : pos + size].decode(), pos + size
    except UnicodeDecodeError as exc:
        raise Malformed("a string is not UTF-8") from exc


def json_depth(text: str) -> int:
    """How deeply a JSON text nests (brackets outside strings), without parsing it."""
    if len(text) <= MAX_DEPTH:
        return 1
    depth = deepest = 0
    for match in _JSON_SYNTAX.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)
