"""Property tests of the frame decoder and of a document fed arbitrary frames: whatever a
client sends, the server either applies it, ignores it or raises ProtocolError with a
documented close code, and a healthy client's state is never corrupted by it."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from pycrdt import Doc, Map, write_var_uint

from server.process.metrics import Counters
from server.sync.backlog import Backlog
from server.sync.connection import Connection
from server.sync.document import Document
from server.sync.endpoint import MessageReceiver
from server.sync.messages import CloseCode, ProtocolError, decode

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def var_bytes(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


frames = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda sub, body: bytes([0, sub]) + body, st.integers(0, 5), st.binary(max_size=200)),
    st.builds(
        lambda sub, body: bytes([0, sub]) + var_bytes(body),
        st.integers(0, 2),
        st.binary(max_size=200),
    ),
    st.builds(lambda body: b"\x01" + var_bytes(body), st.binary(max_size=200)),
    st.builds(
        lambda n, rest: b"\x00\x02" + write_var_uint(n) + rest,
        st.integers(0, 2**40),
        st.binary(max_size=50),
    ),
)


@FUZZ
@given(frames)
def test_decode_never_fails_other_than_with_a_protocol_error(frame: bytes) -> None:
    try:
        message = decode(frame)
    except ProtocolError as error:
        assert error.code in (CloseCode.PROTOCOL_ERROR, CloseCode.CORRUPT_UPDATE)
    else:
        # What was decoded is what the frame says: its type, its subtype and its payload,
        # read from the front of the frame (trailing bytes are ignored).
        kind = frame[0] & 0x7F if frame[0] < 0x80 else None
        if message.type == 0:
            assert message.subtype in (0, 1, 2)
            head = bytes([0, message.subtype])
        elif message.type == 1:
            assert message.subtype == -1
            head = b"\x01"
        else:
            assert message.subtype == -1 and message.payload == b""
            assert kind is None or message.type == kind
            return
        assert frame.startswith(head + var_bytes(message.payload))


def _board() -> tuple[Document, Connection, MessageReceiver, list[bytes]]:
    updates: list[bytes] = []
    document = Document(
        "s/main",
        on_update=lambda _d, u, _l: updates.append(u),
        on_awareness=lambda *_: None,
    )
    counters = Counters(CollectorRegistry())
    connection = Connection(
        role="facilitator",
        subject="",
        can_write=True,
        limit_bytes=1 << 30,
        counters=counters,
        on_overflow=lambda _c: None,
    )
    document.add(connection)
    backlog = Backlog(per_board=1 << 30, per_process=1 << 30)
    return document, connection, MessageReceiver(document, connection, counters, backlog), updates


@FUZZ
@given(st.lists(frames, max_size=8))
def test_a_document_survives_any_frames_and_keeps_good_content(batch: list[bytes]) -> None:
    document, _connection, receiver, _ = _board()
    good: Doc[Any] = Doc()
    sent: list[bytes] = []
    good.observe(lambda event: sent.append(event.update))
    good.get("notes", type=Map)["kept"] = "yes"
    receiver.receive(b"\x00\x02" + var_bytes(sent[0]))
    for frame in batch:
        try:
            receiver.receive(frame)
        except ProtocolError as error:
            assert error.code in (CloseCode.PROTOCOL_ERROR, CloseCode.CORRUPT_UPDATE)
    assert document.doc.get("notes", type=Map).get("kept") == "yes"
    # The document still encodes and syncs to a fresh client.
    fresh: Doc[Any] = Doc()
    fresh.apply_update(document.doc.get_update())
    assert fresh.get("notes", type=Map).get("kept") == "yes"
