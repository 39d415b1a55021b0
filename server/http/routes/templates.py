"""Session templates: the built-in ones and those saved on this deployment, their JSON
Schema, uploading a template file, and saving a running session's structure as one.

Every template file is checked against the one format (rooms/template_format.py); a file
that is not one is refused with 422 problem JSON whose `params.field` names where.
"""

from __future__ import annotations

import json
import time
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from rooms import boards, session, templates
from rooms.control import Value
from rooms.template_format import LongTexts, TemplateFile, Texts, parse, schema
from rooms.templates import LANGUAGES

from ...facilitation.access import FACILITATOR
from ...facilitation.tokens import new_id
from ...store.templates import StoredTemplate
from ..commands import SESSION, Anyone, Call, Commands, CreateKey, roles
from ..inputs import Body, parsed_body
from ..problems import Problem

MAX_SAVED = 100  # templates a deployment holds besides the built-in ones
MAX_TEMPLATE_BYTES = 64 * 1024  # one template file
SAVED_PREFIX = "saved-"
commands = Commands()


class Template(BaseModel):
    id: str
    titles: dict[str, str] = Field(description="by language: fi, sv, en")
    descriptions: dict[str, str] = Field(description="by language: fi, sv, en")
    boards: list[str]
    agenda_items: int
    saved: bool = Field(description="saved on this deployment, not built in")


class SavedTemplate(BaseModel):
    id: str | None = Field(description="give it as `template` when creating a session")
    template: dict[str, Any] = Field(description="the template file (GET /api/templates/schema)")


class Saving(Body):
    titles: Texts | None = Field(None, description="default: the session's title")
    descriptions: LongTexts | None = None
    store: bool = Field(True, description="false: only answer the file, store nothing")


@commands.get(
    "/api/templates",
    "Session templates: the built-in ones, then those saved on this deployment",
    access=Anyone(),
    result=list[Template],
    refusals=(),
)
async def list_templates(call: Call[None]) -> list[Value]:
    listed = [_listed(name, templates.load(name), saved=False) for name in templates.names()]
    for stored in await call.context.store.templates.list_templates():
        listed.append(_listed(stored.id, parse(json.loads(stored.body)), saved=True))
    return listed


@commands.get(
    "/api/templates/schema",
    "The JSON Schema of a template file (docs/templates.md)",
    access=Anyone(),
    result=dict[str, Any],
    refusals=(),
)
async def template_schema(call: Call[None]) -> Value:
    return schema()


@commands.get(
    "/api/templates/{template_id}",
    "One template as a file, to download, edit and upload again",
    access=Anyone(),
    result=dict[str, Any],
    refusals=(404,),
)
async def get_template(call: Call[None]) -> Value:
    template_id = call.path("template_id")
    if template_id in templates.names():
        return templates.load(template_id).model_dump(mode="json")
    stored = await call.context.store.templates.get_template(template_id)
    if stored is None:
        raise Problem(404, f"no template {template_id!r}")
    loaded: Value = json.loads(stored.body)
    return loaded


@commands.post(
    "/api/templates",
    "Upload a template file (with the create key as Bearer when the server sets one); a "
    f"deployment holds at most {MAX_SAVED} (409); 422 names the field a bad file has wrong",
    access=CreateKey(),
    body=TemplateFile,
    body_limit=MAX_TEMPLATE_BYTES,
    parse_body=False,
    result=SavedTemplate,
    status=201,
    limits=(409,),
)
async def upload_template(call: Call[TemplateFile]) -> Value:
    template = parse(parsed_body(await call.raw_body()))
    return await _store(call, template)


@commands.post(
    SESSION + "/template",
    "Save this session's boards (with their sections) and agenda (with its steps) as a "
    f"template: answered as a file to download, and stored on this deployment unless "
    f"store is false (at most {MAX_SAVED}: 409) (facilitator)",
    access=roles(FACILITATOR),
    body=Saving,
    optional_body=True,
    result=SavedTemplate,
    status=201,
    also=(200,),
    limits=(409,),
)
async def save_session(call: Call[Saving]) -> Response:
    body = call.body
    listed = await call.read(boards.listed)
    stored = await call.context.store.sessions.list_boards(call.session_id)
    names = [  # a breakout room is no part of a template
        name for name in stored if listed.get(name, {}).get("kind") not in (None, "breakout")
    ]
    drawn = {
        name: await call.control.read_board(call.session_id, name, templates.drawn_sections)
        for name in names
    }
    title = str((await call.read(session.header)).get("title") or "Paja")
    titles = body.titles.model_dump() if body.titles else dict.fromkeys(LANGUAGES, title)
    descriptions = body.descriptions.model_dump() if body.descriptions else {}
    raw = await call.read(
        lambda doc: templates.from_session(
            doc, drawn, titles=titles, descriptions={**dict.fromkeys(LANGUAGES, ""), **descriptions}
        )
    )
    template = parse(raw)
    if not body.store:
        return JSONResponse({"id": None, "template": template.model_dump(mode="json")})
    return JSONResponse(await _store(call, template), status_code=201)


async def _store(call: Call[Any], template: TemplateFile) -> Value:
    text = json.dumps(template.model_dump(mode="json"), ensure_ascii=False)
    if len(text.encode()) > MAX_TEMPLATE_BYTES:
        raise Problem(413, f"a template is at most {MAX_TEMPLATE_BYTES} bytes")
    template_id = SAVED_PREFIX + new_id()
    stored = StoredTemplate(template_id, text, time.time())
    if not await call.context.store.templates.add_template(stored, most=MAX_SAVED):
        raise Problem(409, f"this server holds {MAX_SAVED} saved templates already")
    return {"id": template_id, "template": template.model_dump(mode="json")}


def _listed(template_id: str, template: TemplateFile, *, saved: bool) -> Value:
    return {
        "id": template_id,
        "titles": template.titles.model_dump(),
        "descriptions": template.descriptions.model_dump(),
        "boards": templates.board_names(template),
        "agenda_items": len(template.agenda),
        "saved": saved,
    }
