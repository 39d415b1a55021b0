"""Background loops stop on close even when a library swallows their cancellation."""

from __future__ import annotations

import asyncio

import pytest

from server.process.tasks import stop


async def test_a_loop_that_swallows_a_cancellation_is_cancelled_again_until_it_ends() -> None:
    swallowed = 0

    async def loop() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                if swallowed < 3:  # as redis-py 8 can inside a pipeline: the loop runs on
                    swallowed += 1
                    continue
                raise

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)
    assert await asyncio.wait_for(stop([task, None]), 5)
    assert task.cancelled()
    assert swallowed == 3


async def test_a_loop_that_failed_before_it_was_stopped_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken() -> None:
        raise RuntimeError("the store went away")

    task = asyncio.create_task(broken(), name="paja-broken")
    await asyncio.sleep(0)
    assert await stop([task])
    assert "paja-broken ended with an error" in caplog.text
