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
    overview,
    people,
    polls,
    posted,
    private,
    programme_events,
    programme_exports,
    programme_groups,
    programmes,
    reactions,
    service,
    sessions,
    steps,
    summary,
    templates,
    timers,
    votes,
    webhooks,
)

COMMANDS: tuple[Command, ...] = tuple(
    command
    for module in (
        service,
        sessions,
        templates,
        exports,
        people,
        boards,
        private,
        timers,
        agenda,
        steps,
        breakouts,
        overview,
        votes,
        polls,
        posted,
        summary,
        lead,
        reactions,
        webhooks,
        programmes,
        programme_groups,
        programme_events,
        programme_exports,
    )
    for command in module.commands
)
