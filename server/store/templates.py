"""Templates saved on a deployment: a facilitator's own (saved from a session or uploaded),
listed beside the built-in ones on the start page. Bounded: a deployment holds at most a
set number, each a template file of bounded size (server/http/routes/templates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StoredTemplate:
    id: str
    body: str  # the template file's JSON text, validated before it was stored
    created_at: float


class TemplateStore(Protocol):
    async def add_template(self, template: StoredTemplate, *, most: int) -> bool:
        """Store it unless the deployment already holds `most` templates (then False)."""
        ...

    async def list_templates(self) -> list[StoredTemplate]:
        """Oldest first."""
        ...

    async def get_template(self, template_id: str) -> StoredTemplate | None: ...
