"""REST commands, one module per part of the facilitation; each declares its commands once
(server/http/commands.py), and the app, the access checks and the OpenAPI document take them
from `COMMANDS`."""

from ..commands import Command
from . import (
    agenda,
    boards,
    breakouts,
    exports,
    lead,
    people,
    polls,
    posted,
    reactions,
    service,
    sessions,
    summary,
    timers,
    votes,
    webhooks,
)

COMMANDS: tuple[Command, ...] = tuple(
    command
    for module in (
        service,
        sessions,
        exports,
        people,
        boards,
        timers,
        agenda,
        breakouts,
        votes,
        polls,
        posted,
        summary,
        lead,
        reactions,
        webhooks,
    )
    for command in module.commands
)
