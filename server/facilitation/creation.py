"""Creating a session: fresh tokens (one per role, shown to the creator this once), a join
code no other session holds, its boards, and its `control` document.

The create route and the import both create sessions here, admit their caller the same
way (one create key, one count of creations per address) and answer with the same links.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from pycrdt import Doc

from rooms import boards, notes, session, templates
from rooms.errors import Invalid
from rooms.template_format import TemplateFile, parse

from ..http.problems import Problem
from ..process.config import Settings
from ..process.limits import Rates
from ..process.scheduler import now_ms
from ..store.sessions import CodeTaken, Grant, SessionRecord, SessionStore
from ..store.templates import TemplateStore
from .access import BOT, CONTROL, FACILITATOR, JOIN, MAIN, OBSERVER
from .authority import Control
from .tokens import (
    display_url,
    join_url,
    new_id,
    new_join_code,
    new_token,
    participant_url,
    shown_join_code,
    token_hash,
)

DEFAULT_BOARDS = (CONTROL, MAIN)
JOIN_CODE_TRIES = 5


@dataclass(frozen=True)
class NewSession:
    """A session just stored, and its tokens by role (facilitator, observer, bot, join)."""

    record: SessionRecord
    tokens: dict[str, str]

    def answer(self, base: str, language: str) -> dict[str, Any]:
        """What its creator is told: its links and its tokens, shown this once."""
        record, tokens = self.record, self.tokens
        return {
            **describe(base, record),
            "language": language,
            "facilitator_token": tokens[FACILITATOR],
            "observer_token": tokens[OBSERVER],
            "bot_token": tokens[BOT],
            "join_secret": tokens[JOIN],
            "facilitator_url": f"{base}/s/{record.id}#token={tokens[FACILITATOR]}",
            "participant_url": participant_url(base, record.id, tokens[JOIN]),
            "display_url": display_url(base, record.id, tokens[OBSERVER]),
            "ws_url": base.replace("http", "ws", 1) + f"/ws/{record.id}",
        }


def describe(base: str, record: SessionRecord) -> dict[str, Any]:
    """What a session answer says of the stored record, without secrets."""
    code = str(record.settings["join_code"])
    return {
        "id": record.id,
        "title": record.title,
        "template": record.template,
        "created_at": record.created_at,
        "join_code": shown_join_code(code),
        "join_url": join_url(base, code),
    }


class SessionCreator:
    def __init__(
        self, sessions: SessionStore, saved: TemplateStore, settings: Settings, rates: Rates
    ) -> None:
        self.sessions = sessions
        self.saved = saved
        self.create_key = settings.create_key
        self.creations = rates.keyed("creations", settings.sessions_per_hour_per_address)

    def admit(self, key: str | None, address: str) -> None:
        """Creating a session, or importing one, needs the server's create key when it
        sets one (given as `key`), and stays within the creations allowed per client
        address."""
        if self.create_key is not None:
            given = key or ""
            if not hmac.compare_digest(given.encode(), self.create_key.encode()):
                raise Problem(401, "creating a session needs the server's create key")
        wait = self.creations.retry_after(address)
        if wait:
            raise Problem(429, "too many sessions created from this address", retry_after=wait)

    async def create(
        self, control: Control, title: str, template_id: str | None, language: str
    ) -> NewSession:
        """A new session from a template (or none), its control document written."""
        template = await self.template(template_id) if template_id else None
        extra = templates.board_names(template) if template else []
        new = await self.store_session(title, template_id, [*DEFAULT_BOARDS, *extra])
        await _prepare(control, new.record, language, template)
        return new

    async def template(self, template_id: str) -> TemplateFile:
        """A built-in template, or one saved on this deployment; `Invalid` when there is
        no such template."""
        if template_id in templates.names():
            return templates.load(template_id)
        saved = await self.saved.get_template(template_id)
        if saved is None:
            raise Invalid(f"no template {template_id!r}; GET /api/templates lists them")
        return parse(json.loads(saved.body))

    async def store_session(
        self, title: str, template_id: str | None, board_names: list[str]
    ) -> NewSession:
        """A new session with fresh tokens (by role), its boards and a join code no other
        session has; its documents are left to the caller."""
        tokens = {role: new_token() for role in (FACILITATOR, OBSERVER, BOT, JOIN)}
        for _ in range(JOIN_CODE_TRIES):
            settings = {"join_code": new_join_code()}
            record = SessionRecord(new_id(), title, template_id, time.time(), settings)
            grants = {token_hash(t): Grant(record.id, role) for role, t in tokens.items()}
            try:
                await self.sessions.create_session(record, grants, board_names)
            except CodeTaken:
                continue
            return NewSession(record, tokens)
        raise Problem(503, "no free join code; try again", retry_after=1)


async def _prepare(
    control: Control,
    record: SessionRecord,
    language: str,
    template: TemplateFile | None,
) -> None:
    """Write the new session's control document: header, boards and the template."""
    now = now_ms()

    def prepare(doc: Doc[Any]) -> None:
        session.start(
            doc,
            title=record.title,
            template=record.template,
            language=language,
            join_code=shown_join_code(str(record.settings["join_code"])),
            now=now,
        )
        title = boards.MAIN_TITLES[language]
        boards.add(
            doc,
            MAIN,
            title=title,
            kind=boards.MAIN_KIND,
            open_to_all=True,
            titles=boards.MAIN_TITLES,
        )
        if template is not None:
            templates.apply(doc, template, language)

    await control.change(record.id, prepare)
    if template is None:
        return
    for board in templates.laid_out(template):
        laid_out = templates.sections(template, board, language)
        if laid_out:
            await control.change_board(
                record.id, board, partial(notes.add_sections, sections=laid_out)
            )
