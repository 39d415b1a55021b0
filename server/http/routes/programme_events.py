"""A programme's events and measurement (docs/programmes.md): events are sessions made
from templates with the roster carried in; follow-up polls whose links each answer once,
anonymously; the programme's summary (JSON or Markdown, fi/sv/en) with every event's
polls, the trend of each question across events, and the follow-ups."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from rooms import programme_summary, programmes, templates
from rooms.control import POLLS, Value, entries
from rooms.polls import PRESETS

from ...facilitation.access import PARTICIPANT
from ...facilitation.programmes import carry_roster
from ...facilitation.tokens import new_id, new_token, token_hash
from ...store.programmes import ProgrammeGrant
from ..commands import Call, Commands, InProgramme, members, organisers
from ..inputs import Body, bearer, text, whole
from ..problems import Problem
from .posted import Summary as Posted
from .posted import publish
from .programmes import PROGRAMME
from .summary import MARKDOWN

FOLLOWUP = PROGRAMME + "/followups/{poll_id}"
commands = Commands()


class NewEvent(Body):
    title: Annotated[str, text(200)]
    template: Annotated[str, text(64)] | None = None
    date: Annotated[str, text(32)] | None = Field(None, description="when it is, as written")


class Event(BaseModel):
    model_config = ConfigDict(extra="allow")
    session_id: str
    title: str
    date: str | None = None
    facilitator_url: str


class NewFollowup(Body):
    question: Annotated[str, text(300)] | None = None
    preset: Literal["heard", "use"] | None = None


class PollLink(BaseModel):
    member: str
    name: str
    email: str | None = None
    url: str = Field(description="opens only the poll; answers once")


class Followup(BaseModel):
    id: str
    question: str
    links: list[PollLink]


class Ballot(BaseModel):
    id: str
    question: str
    programme: str


class Answer(Body):
    value: Annotated[int, whole(1, 5)]


class Answered(BaseModel):
    id: str
    answers: int


class EventSummaryQuery(Body):
    language: Literal["fi", "sv", "en"] | None = None


class SummaryQuery(Body):
    format: Literal["json", "markdown"] = "json"
    language: Literal["fi", "sv", "en"] | None = None


@commands.post(
    PROGRAMME + "/events",
    "Make an event: a session from a template with every member in its roster, so nobody "
    "joins again; members open it from their personal links (organiser)",
    access=organisers,
    body=NewEvent,
    result=Event,
    status=201,
)
async def create_event(call: Call[NewEvent]) -> Value:
    caller, body = call.programme, call.body
    assert caller is not None
    if body.template is not None and body.template not in templates.names():
        raise Problem(422, "no such template")
    data = caller.data
    if len(data["timeline"]) >= programmes.MAX_TIMELINE:
        raise Problem(409, f"a programme has at most {programmes.MAX_TIMELINE} events")
    new = await call.context.creator.create(
        call.control, body.title, body.template, data["language"]
    )
    people = {mid: m for mid, m in data["members"].items() if m["role"] == programmes.MEMBER}
    await carry_roster(call.control, new.record.id, caller.id, people, call.now, role=PARTICIPANT)
    item = {
        "session_id": new.record.id,
        "title": body.title,
        "date": body.date,
        "template": body.template,
        "created_at": call.now,
    }
    await call.context.store.programmes.update_programme(
        caller.id, lambda d: programmes.add_event(d, item)
    )
    return item | new.answer(call.base_url(), data["language"])


@commands.get(
    PROGRAMME + "/events/{session_id}/summary",
    "An event's generated summary in Markdown, for every member: what happened there "
    "(people are named only when the event allows it) (member)",
    access=members,
    query=EventSummaryQuery,
    media=("text/markdown",),
)
async def event_summary(call: Call[None]) -> Response:
    caller = call.programme
    assert caller is not None
    item = programmes.event(caller.data, call.path("session_id"))
    language = call.query(EventSummaryQuery).language
    made = await call.control.summary_markdown(item["session_id"], language)
    return Response(made, media_type=MARKDOWN)


@commands.post(
    PROGRAMME + "/followups",
    "Send a follow-up poll (1-5): one link per member that opens only the poll and answers "
    "it once; answers are counted, never tied to anyone (organiser)",
    access=organisers,
    body=NewFollowup,
    result=Followup,
    status=201,
)
async def create_followup(call: Call[NewFollowup]) -> Value:
    caller, body = call.programme, call.body
    assert caller is not None
    data = caller.data
    question = body.question or (PRESETS[body.preset][data["language"]] if body.preset else None)
    if question is None:
        raise Problem(422, "give a question or a preset")
    poll_id = new_id()
    poll: Value = {
        "id": poll_id,
        "question": question,
        "preset": body.preset,
        "created_at": call.now,
        "counts": {},
    }
    await call.context.store.programmes.update_programme(
        caller.id, lambda d: programmes.add_followup(d, poll)
    )
    people = {mid: m for mid, m in data["members"].items() if m["role"] == programmes.MEMBER}
    tokens = {mid: new_token() for mid in people}
    await call.context.store.programmes.add_programme_grants(
        {token_hash(t): ProgrammeGrant(caller.id, f"poll:{poll_id}") for t in tokens.values()}
    )
    base = call.base_url()
    links = [
        {
            "member": mid,
            "name": m["name"],
            "email": m.get("email"),
            "url": f"{base}/p/{caller.id}/poll/{poll_id}#token={tokens[mid]}",
        }
        for mid, m in people.items()
    ]
    return {"id": poll_id, "question": question, "links": links}


class PollToken:
    """A follow-up poll's one-use link: it opens only its poll."""

    problems = (401, 404)
    security = InProgramme().security

    async def admit(self, call: Call[Any]) -> None:
        programme_id, poll_id = call.path("programme_id"), call.path("poll_id")
        token = bearer(call.request)
        store = call.context.store.programmes
        grant = await store.find_programme_grant(token_hash(token)) if token else None
        if grant is None or grant != ProgrammeGrant(programme_id, f"poll:{poll_id}"):
            raise Problem(401, "this link has been used, or is not this poll's")
        data = await store.get_programme(programme_id)
        if data is None:
            raise Problem(404, "no such programme")
        programmes.followup(data, poll_id)


@commands.get(
    FOLLOWUP,
    "The follow-up poll its link opens (the poll's link)",
    access=PollToken(),
    result=Ballot,
)
async def ballot(call: Call[None]) -> Value:
    data = await call.context.store.programmes.get_programme(call.path("programme_id"))
    assert data is not None
    poll = programmes.followup(data, call.path("poll_id"))
    return {"id": poll["id"], "question": poll["question"], "programme": data["title"]}


@commands.post(
    FOLLOWUP + "/answers",
    "Answer the follow-up poll; the link is used up (the poll's link)",
    access=PollToken(),
    body=Answer,
    result=Answered,
    status=201,
)
async def answer(call: Call[Answer]) -> Value:
    programme_id, poll_id = call.path("programme_id"), call.path("poll_id")
    token = bearer(call.request)
    assert token is not None
    store = call.context.store.programmes
    taken = await store.take_programme_grant(token_hash(token))
    if taken != ProgrammeGrant(programme_id, f"poll:{poll_id}"):
        raise Problem(401, "this link has been used, or is not this poll's")
    value = call.body.value

    def record(data: Value) -> int:
        poll = programmes.answer_followup(programmes.followup(data, poll_id), value)
        return sum(int(n) for n in poll["counts"].values())

    return {"id": poll_id, "answers": await store.update_programme(programme_id, record)}


class PostSummary(Body):
    event: Annotated[str, text(64)] | None = Field(
        None, description="the event's session id; the latest event when absent"
    )
    language: Literal["fi", "sv", "en"] | None = None


async def _built(call: Call[Any], language: str | None) -> Value:
    caller = call.programme
    assert caller is not None
    event_polls = []
    for item in caller.data["timeline"]:
        polls = await call.control.read(item["session_id"], lambda doc: entries(doc, POLLS))
        event_polls.append((item, sorted(polls.values(), key=lambda p: p.get("opened_at", 0))))
    return programme_summary.build(caller.data, event_polls, language or caller.data["language"])


@commands.get(
    PROGRAMME + "/summary",
    "The programme's summary: events and their polls, the trend per question, follow-ups, "
    "how many groups met (member)",
    access=members,
    query=SummaryQuery,
    result=dict[str, Any],
    media=("text/markdown",),
    refusals=(),
)
async def summary(call: Call[None]) -> Value | Response:
    asked = call.query(SummaryQuery)
    built = await _built(call, asked.language)
    if asked.format == "markdown":
        return Response(programme_summary.markdown(built), media_type=MARKDOWN)
    return built


@commands.post(
    PROGRAMME + "/summary/post",
    "Post the programme's summary (Markdown) into an event: everyone in it sees it, and it "
    "goes to the event's webhooks (Teams) as summary.posted (organiser)",
    access=organisers,
    body=PostSummary,
    optional_body=True,
    result=Posted,
    status=201,
    limits=(429,),
)
async def post_summary(call: Call[PostSummary]) -> Value:
    caller = call.programme
    assert caller is not None
    timeline = caller.data["timeline"]
    if not timeline:
        raise Problem(409, "the programme has no event to post into")
    event = call.body.event or max(timeline, key=lambda e: e["created_at"])["session_id"]
    programmes.event(caller.data, event)
    markdown = programme_summary.markdown(await _built(call, call.body.language))
    return await publish(call, event, caller.data["title"][:80], markdown, "facilitator")
