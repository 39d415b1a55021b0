"""axe-core on the pages that joining by code and leading the view add, in Finnish and in
English: the code page (found and not found), the participant following the facilitator
(and after stopping), and the facilitator leading."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, local, serious_violations


@pytest.mark.parametrize("lang", ["fi", "en"])
async def test_code_and_lead_pages_pass_axe(server: PajaServer, pages: Pages, lang: str) -> None:
    found: dict[str, list[str]] = {}
    s = Session.create(server, "Saavutettava koodi")
    code = s.created["join_code"]

    bad = await pages.new(lang, inject=True)
    await bad.goto(f"{server.http}/c/ZZZZ-2222")
    await expect(bad.get_by_role("alert")).to_be_visible()
    found["code/not found"] = await serious_violations(bad)

    person = await pages.new(lang, inject=True)
    await person.goto(f"{server.http}/c/{code}#ask=org,kind")
    await expect(person.locator("#org")).to_be_visible()
    found["code/join"] = await serious_violations(person)
    await person.locator("#name").fill("Aino")
    await person.locator("form button[type=submit]").click()
    await expect(person.get_by_test_id("canvas")).to_be_visible()

    fac = await pages.new(lang, inject=True)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    await fac.get_by_test_id("tab-boards").click()
    await fac.get_by_test_id("follow-me").click()
    await expect(fac.get_by_test_id("leading-bar")).to_be_visible()
    found["facilitator/leading"] = await serious_violations(fac)

    bar = person.get_by_test_id("follow-bar")
    await expect(bar).to_be_visible()
    found["board/following"] = await serious_violations(person)
    await bar.get_by_role("button").click()
    await expect(bar.get_by_role("button")).to_have_text(
        "Seuraa taas" if lang == "fi" else "Follow again"
    )
    found["board/stopped following"] = await serious_violations(person)
    await pages.shot(person, f"{lang}-stopped-following")

    bad_pages = {page: v for page, v in found.items() if v}
    assert not bad_pages, f"axe found serious or critical violations: {bad_pages}"
