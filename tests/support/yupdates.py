"""Yjs updates written byte by byte (update format v1), for what no Yjs library will make:
values and shared types nested thousands deep, and adversarial structures."""

from __future__ import annotations

import struct

from pycrdt import write_var_uint

ANY, TYPE, STRING = 8, 7, 4
HAS_ORIGIN, HAS_PARENT_SUB = 0x80, 0x20
ARRAY_TAG, INTEGER_TAG, MAP_TYPE = 117, 125, 1


def text(value: str) -> bytes:
    raw = value.encode()
    return write_var_uint(len(raw)) + raw


def update(client: int, clock: int, structs: list[bytes], deletes: bytes = b"\x00") -> bytes:
    """One client's structs from `clock` on, then a delete set (empty by default)."""
    head = write_var_uint(1) + write_var_uint(len(structs))
    return head + write_var_uint(client) + write_var_uint(clock) + b"".join(structs) + deletes


def root_item(root: str, key: str, info: int, content: bytes) -> bytes:
    """An item at `key` of the root map `root`, named by its parent (no neighbours)."""
    return bytes([info | HAS_PARENT_SUB]) + write_var_uint(1) + text(root) + text(key) + content


def child_item(parent: tuple[int, int], key: str, info: int, content: bytes) -> bytes:
    """An item at `key` of the shared map whose item id is `parent`."""
    client, clock = parent
    head = bytes([info | HAS_PARENT_SUB]) + write_var_uint(0)
    return head + write_var_uint(client) + write_var_uint(clock) + text(key) + content


def deep_value(depth: int, root: str = "notes", key: str = "k", client: int = 7) -> bytes:
    """`root[key] = [[[…0…]]]`, arrays `depth` deep: two bytes a level."""
    value = bytes([ARRAY_TAG, 1]) * depth + bytes([INTEGER_TAG, 0])
    return update(client, 0, [root_item(root, key, ANY, write_var_uint(1) + value)])


def deep_types(depth: int, root: str = "notes", key: str = "k", client: int = 7) -> bytes:
    """`depth` shared maps, each at `key` of the one before, the first at `root[key]`."""
    content = write_var_uint(MAP_TYPE)
    structs = [root_item(root, key, TYPE, content)]
    structs += [child_item((client, i - 1), key, TYPE, content) for i in range(1, depth)]
    return update(client, 0, structs)


def sync_update(payload: bytes) -> bytes:
    """The y-websocket frame carrying an update (sync message, subtype update)."""
    return b"\x00\x02" + write_var_uint(len(payload)) + payload


def encode_any(value: object) -> bytes:
    """A plain value in lib0's `any` encoding (what Yjs writes for JSON-like values)."""
    if value is None:
        return bytes([126])
    if value is True or value is False:
        return bytes([120 if value else 121])
    if isinstance(value, int):
        return bytes([INTEGER_TAG]) + _var_int(value)
    if isinstance(value, float):
        return bytes([123]) + struct.pack(">d", value)
    if isinstance(value, str):
        return bytes([119]) + text(value)
    if isinstance(value, list):
        return bytes([ARRAY_TAG]) + write_var_uint(len(value)) + b"".join(map(encode_any, value))
    if isinstance(value, dict):
        entries = b"".join(text(k) + encode_any(v) for k, v in value.items())
        return bytes([118]) + write_var_uint(len(value)) + entries
    raise TypeError(f"no lib0 encoding for {type(value).__name__}")


def _var_int(value: int) -> bytes:
    """lib0's signed varint: sign in the sixth bit of the first byte."""
    magnitude = abs(value)
    first = (magnitude & 0x3F) | (0x40 if value < 0 else 0)
    magnitude >>= 6
    out = bytearray([first | (0x80 if magnitude else 0)])
    while magnitude:
        byte = magnitude & 0x7F
        magnitude >>= 7
        out.append(byte | (0x80 if magnitude else 0))
    return bytes(out)
