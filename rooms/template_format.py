"""The template file format, declared once as pydantic models: the built-in templates in
`rooms/templates/`, a template a facilitator uploads and one saved from a session are all
read through `TemplateFile`, and its JSON Schema (GET /api/templates/schema,
docs/templates.md) is derived from the same models, so the published schema and the
checks cannot disagree.

Every text a participant reads comes in Finnish, Swedish and English (`Texts`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from . import boards
from .errors import Invalid

MAX_BOARDS = 20
MAX_SECTIONS = 40
MAX_ITEMS = 100
MAX_STEPS = 5
MAX_MINUTES = 24 * 60
MAX_COORDINATE = 100_000
SECTION_COLORS = ("grey", "blue", "green", "yellow")  # client/src/lib/board.ts

Title = Annotated[str, Field(min_length=1, max_length=200)]
Instruction = Annotated[str, Field(max_length=4000)]
Coordinate = Annotated[float, Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE)]
Size = Annotated[float, Field(ge=80, le=MAX_COORDINATE)]
BoardName = Annotated[str, Field(pattern=boards.NAME.pattern, description="a board's slug")]
Count = Annotated[int, Field(ge=1, le=200)]


class Strict(BaseModel):
    """Unknown fields are refused: a misspelt field in a hand-written file is an error,
    not a silently lost setting."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Texts(Strict):
    """One text in each of the three languages a session may run in."""

    fi: Title
    sv: Title
    en: Title


class LongTexts(Strict):
    fi: Instruction
    sv: Instruction
    en: Instruction


class Section(Strict):
    """A titled area drawn on a board; notes inside it belong to it (docs/schema.md)."""

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    titles: Texts
    x: Coordinate
    y: Coordinate
    w: Size = 400
    h: Size = 300
    color: Literal["grey", "blue", "green", "yellow"] = Field(
        "grey", description="as the client draws sections (client/src/lib/board.ts)"
    )


class Board(Strict):
    """A board the template creates (`main` is always there: it may only carry sections)."""

    name: BoardName
    titles: Texts
    sections: Annotated[list[Section], Field(max_length=MAX_SECTIONS)] = []

    @model_validator(mode="after")
    def _unique_sections(self) -> Board:
        if self.name == boards.CONTROL:
            raise ValueError("'control' is the session's own document, not a board")
        ids = [s.id for s in self.sections]
        if len(set(ids)) != len(ids):
            raise ValueError("section ids are unique on a board")
        return self


class BreakoutStep(Strict):
    """Open a breakout round: draft it with the strategy and open it at once."""

    kind: Literal["breakout"]
    strategy: Literal["random", "balanced", "keep_apart"]
    group_size: Count | None = None
    rooms: Count | None = None
    key: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        None, description="tag key: kind (balanced), org (keep_apart)"
    )
    minutes: Annotated[int, Field(ge=1, le=MAX_MINUTES)] = 10

    @model_validator(mode="after")
    def _one_size(self) -> BreakoutStep:
        if (self.group_size is None) == (self.rooms is None):
            raise ValueError("a breakout step gives either group_size or rooms")
        return self


class PollsStep(Strict):
    """Start the preset feedback polls ("participants felt heard", "intend to use")."""

    kind: Literal["feedback_polls"]
    presets: Annotated[list[Literal["heard", "use"]], Field(min_length=1, max_length=2)] = [
        "heard",
        "use",
    ]


class VoteStep(Strict):
    """Start a dot vote on the notes of one section of a board."""

    kind: Literal["dot_vote"]
    board: BoardName
    section: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    titles: Texts
    per_participant: Annotated[int, Field(ge=1, le=100)] = 3


Step = Annotated[BreakoutStep | PollsStep | VoteStep, Field(discriminator="kind")]


class AgendaItem(Strict):
    titles: Texts
    minutes: Annotated[int, Field(ge=0, le=MAX_MINUTES)]
    board: BoardName | None = None
    instructions: LongTexts
    steps: Annotated[list[Step], Field(max_length=MAX_STEPS)] = []


class TemplateFile(Strict):
    """A session template: its boards with their sections, and an agenda whose items may
    carry steps the facilitator runs with one click."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="Paja session template",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )
    titles: Texts
    descriptions: LongTexts
    boards: Annotated[list[Board], Field(max_length=MAX_BOARDS)] = []
    agenda: Annotated[list[AgendaItem], Field(max_length=MAX_ITEMS)] = []

    @model_validator(mode="after")
    def _references(self) -> TemplateFile:
        """Every board an item or a step names is declared, and so is a voted section."""
        names = [b.name for b in self.boards]
        if len(set(names)) != len(names):
            raise ValueError("board names are unique")
        declared = {b.name: b for b in self.boards}
        for n, item in enumerate(self.agenda):
            if item.board is not None and item.board not in declared | {boards.MAIN: None}:
                raise ValueError(f"agenda[{n}].board: {item.board!r} is not a declared board")
            for s, step in enumerate(item.steps):
                if not isinstance(step, VoteStep):
                    continue
                where = f"agenda[{n}].steps[{s}]"
                board = declared.get(step.board)
                if board is None and step.board != boards.MAIN:
                    raise ValueError(f"{where}.board: {step.board!r} is not a declared board")
                sections = {x.id for x in board.sections} if board else set()
                if step.section is not None and step.section not in sections:
                    raise ValueError(
                        f"{where}.section: {step.section!r} is not a section of {step.board!r}"
                    )
        return self


STEPS: TypeAdapter[list[Any]] = TypeAdapter(Annotated[list[Step], Field(max_length=MAX_STEPS)])


def steps(raw: Any) -> list[dict[str, Any]]:
    """An agenda item's steps from untrusted JSON, as plain data for the control document."""
    try:
        checked = STEPS.validate_python(raw)
    except ValidationError as invalid:
        raise InvalidTemplate.of(invalid) from invalid
    return [step.model_dump(mode="json") for step in checked]


def schema() -> dict[str, Any]:
    """The JSON Schema of a template file."""
    return TemplateFile.model_json_schema()


def parse(raw: Any) -> TemplateFile:
    """A template from untrusted JSON; `InvalidTemplate` names the first bad field."""
    try:
        return TemplateFile.model_validate(raw)
    except ValidationError as invalid:
        raise InvalidTemplate.of(invalid) from invalid


class InvalidTemplate(Invalid):
    """A template file that is not one; `field` is where, e.g. `agenda[2].steps[0].kind`."""

    def __init__(self, field: str, message: str) -> None:
        shown = f"{field}: {message}" if field else message
        super().__init__(shown, "invalid_template", field=field)
        self.field = field

    @classmethod
    def of(cls, invalid: ValidationError) -> InvalidTemplate:
        error = invalid.errors()[0]
        field = _path(error["loc"])
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            field += ".kind"  # a step of no known kind: its tag is what is wrong
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "value_error" and ": " in message and not field:
            field, _, message = message.partition(": ")  # a cross-field check names it
        return cls(field, message)


def _path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path: boards[1].sections[0].titles.sv; the
    tag of a step's union is left out (steps[0].kind, not steps[0].breakout.kind)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in ("breakout", "feedback_polls", "dot_vote"):
            out += f".{part}" if out else part
    return out
