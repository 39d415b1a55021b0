"""The REST API against its own OpenAPI document, on a live `paja serve`.

Schemathesis generates requests for every operation the document lists, both valid ones
and ones that break the schema, and sends each twice over: as a stranger (no token, or
whatever the generator made up) and as the facilitator of a real session, with that
session's id in the path. Whatever is sent, the server must never answer 5xx, and what it
answers must be what the document says: a listed status, the listed content type and a
body of the listed schema.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from support.processes import PajaServer

# Examples per operation and mode: a stranger is turned away at the token, so few suffice;
# a facilitator reaches the handlers. The whole run stays well under a minute on 2 cores.
STRANGER_EXAMPLES = 2
FACILITATOR_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Generated requests create sessions and try join codes far faster than people do.
GENEROUS = {
    "PAJA_SESSIONS_PER_HOUR_PER_ADDRESS": "1000000",
    "PAJA_JOIN_CODE_LOOKUPS_PER_HOUR_PER_ADDRESS": "1000000",
}


def _run(operation: Any, base_url: str, mode: GenerationMode, **fixed: Any) -> int:
    """Send the generated requests and check each answer; the count of requests sent."""
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=FACILITATOR_EXAMPLES if fixed else STRANGER_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Any) -> None:
        nonlocal sent
        sent += 1
        case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=10)

    try:
        send()
    except Unsatisfiable:
        # Nothing to break: no body, no query, and the path is fixed. Valid requests
        # can always be made, so only a request that breaks the schema may be missing.
        if mode is GenerationMode.POSITIVE:
            raise
    return sent


def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(env=GENEROUS).start()
    schema = schemathesis.openapi.from_url(server.http + "/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "every route is in the document"
    failures: list[str] = []
    for operation in operations:
        callers: list[dict[str, Any]] = [{}]
        if "{session_id}" in operation.path:
            # A session of its own for each operation: one that deletes or ends its
            # session, or fills it to a limit, leaves the others untouched.
            session = server.create_session(f"Fuzzing {operation.label}")
            token = session["facilitator_token"]
            callers.append(
                {
                    "path_parameters": {"session_id": session["id"]},
                    "headers": {"Authorization": f"Bearer {token}"},
                }
            )
        for fixed in callers:
            who = "facilitator" if fixed else "stranger"
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    sent = _run(operation, server.http, mode, **fixed)
                except (Exception, BaseExceptionGroup) as failure:  # reported all together below
                    failures.append(f"{operation.label} ({who}, {mode.value}): {failure}")
                    continue
                if mode is GenerationMode.POSITIVE and sent == 0:
                    failures.append(f"{operation.label} ({who}): no valid request was sent")
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
