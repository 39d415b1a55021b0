"""Paja inside a Teams meeting, with the Teams seam (client/src/lib/teams.ts) replaced by a
fake host put on the page before its scripts run: Teams gives a name, the locale sv-SE and
a theme, later changes the theme, and records what the page asks of it (share to stage,
the tab to save). Side panel at 320×700, stage at 1280×720, the configuration page; axe-core
in every theme."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from playwright.async_api import expect

from support.processes import PajaServer

from .conftest import Pages, local, serious_violations

FAKE_HOST = """
window.__pajaTeamsHost = {
  async context() { return %s },
  onThemeChange(handler) { window.__teamsThemeChange = handler },
  async shareToStage(url) { window.__teamsShared = url },
  offerTab(tab) { window.__teamsTab = tab },
}
"""


async def in_teams(pages: Pages, width: int, height: int, name: str, theme: str) -> Any:
    """A page whose host is a fake Teams (the browser itself speaks English: the UI
    language must come from Teams' locale)."""
    page = await pages.new("en", width, height, inject=True)
    context = {"userName": name, "locale": "sv-SE", "theme": theme}
    await page.add_init_script(FAKE_HOST % json.dumps(context))
    return page


async def teams_theme(page: Any, theme: str) -> None:
    """Teams changes its theme; the page must follow without loading again."""
    await page.evaluate("window.__stillTheSamePage = true")
    await page.evaluate("theme => window.__teamsThemeChange(theme)", theme)
    html = page.locator("html")
    if theme == "default":
        await expect(html).not_to_have_attribute("data-theme", "dark")
        await expect(html).not_to_have_attribute("data-theme", "contrast")
    else:
        await expect(html).to_have_attribute("data-theme", theme)
    assert await page.evaluate("window.__stillTheSamePage === true"), "the page was reloaded"


async def background(page: Any) -> str:
    return str(await page.evaluate("getComputedStyle(document.documentElement).backgroundColor"))


async def test_side_panel_joins_with_the_teams_name_in_swedish_and_follows_the_theme(
    server: PajaServer, pages: Pages
) -> None:
    s = server.create_session("Hybridverkstad", template="development-path", language="sv")
    tab = urlencode({"session": s["id"], "join": s["join_code"]})
    side = await in_teams(pages, 320, 700, "Astrid Lindqvist", "dark")
    await side.goto(f"{server.http}/teams/side?{tab}")

    await expect(side.get_by_test_id("canvas")).to_be_visible()
    await expect(side.locator(".teams-bar")).to_contain_text(
        "Med i workshoppen som Astrid Lindqvist"
    )
    await expect(side.locator("html")).to_have_attribute("lang", "sv")
    await expect(side.get_by_role("button", name="Dela till scenen")).to_be_visible()
    # the server's roster has the Teams name: the facilitator sees it
    roster = await side.evaluate("id => JSON.parse(localStorage.getItem('paja:p:' + id))", s["id"])
    assert roster["name"] == "Astrid Lindqvist"
    fac = await pages.new("en")
    await fac.goto(local(s["facilitator_url"], server.http))
    await fac.get_by_test_id("tab-people").click()
    await expect(fac.locator(".people-list")).to_contain_text("Astrid Lindqvist")

    await expect(side.locator("html")).to_have_attribute("data-theme", "dark")
    assert await background(side) == "rgb(31, 31, 31)"
    root = "document.documentElement"
    fits = f"{root}.scrollWidth <= 320 && {root}.scrollHeight <= 700"
    assert await side.evaluate(fits), "the panel scrolls neither sideways nor past its foot"
    found = {"dark": await serious_violations(side)}
    await pages.shot(side, "side-dark")

    await teams_theme(side, "contrast")
    assert await background(side) == "rgb(0, 0, 0)"
    found["contrast"] = await serious_violations(side)
    await pages.shot(side, "side-contrast")

    await teams_theme(side, "default")
    assert await background(side) == "rgb(255, 255, 255)"
    found["default"] = await serious_violations(side)
    await pages.shot(side, "side-default")
    assert found == {"dark": [], "contrast": [], "default": []}

    await side.get_by_role("button", name="Dela till scenen").click()
    shared = await side.wait_for_function("window.__teamsShared")
    assert await shared.json_value() == f"{server.http}/teams/stage?{tab}"


async def test_stage_shows_the_board_to_edit_in_every_theme(
    server: PajaServer, pages: Pages
) -> None:
    s = server.create_session("Hybridverkstad", template="development-path", language="sv")
    fac = await pages.new("en")
    await fac.goto(local(s["facilitator_url"], server.http))
    await fac.get_by_test_id("tab-agenda").click()
    await fac.locator(".agenda-list button").first.click()

    stage = await in_teams(pages, 1280, 720, "Erik Teams", "dark")
    tab = urlencode({"session": s["id"], "join": s["join_code"]})
    await stage.goto(f"{server.http}/teams/stage?{tab}")
    await expect(stage.get_by_test_id("canvas")).to_be_visible()
    await expect(stage.locator("html")).to_have_attribute("lang", "sv")
    await expect(stage.get_by_test_id("display-agenda")).to_be_visible()
    await expect(stage.get_by_test_id("timer").first).to_be_visible()

    # a participant may edit the main board: on the stage too, and the Lab sees it
    await stage.get_by_test_id("new-note").click()
    await stage.keyboard.type("Från scenen")
    await stage.keyboard.press("Escape")
    await expect(fac.locator(".note")).to_contain_text("Från scenen")

    found = {"dark": await serious_violations(stage)}
    await pages.shot(stage, "stage-dark")
    await teams_theme(stage, "contrast")
    found["contrast"] = await serious_violations(stage)
    await pages.shot(stage, "stage-contrast")
    await teams_theme(stage, "default")
    found["default"] = await serious_violations(stage)
    await pages.shot(stage, "stage-default")
    assert found == {"dark": [], "contrast": [], "default": []}


async def test_configuration_saves_the_tab_with_the_chosen_session(
    server: PajaServer, pages: Pages
) -> None:
    s = server.create_session("Befintlig verkstad", language="sv")
    config = await in_teams(pages, 1000, 700, "Organisatör", "default")
    await config.goto(f"{server.http}/teams/config")
    await expect(
        config.get_by_role("heading", name="Lägg till en workshop i mötet")
    ).to_be_visible()
    assert await config.evaluate("window.__teamsTab === null"), "nothing to save yet"

    await config.get_by_label("Facilitatorlänk eller kod för att gå med").fill(
        local(s["facilitator_url"], server.http)
    )
    await config.get_by_role("button", name="Använd det här evenemanget").click()
    await expect(config.get_by_test_id("teams-ready")).to_contain_text("Befintlig verkstad")
    saved = await (await config.wait_for_function("window.__teamsTab")).json_value()
    query = urlencode({"session": s["id"], "join": s["join_code"].replace("-", "")})
    assert saved["contentUrl"] == f"{server.http}/teams/side?{query}"
    assert saved["entityId"] == s["id"]
    found = {"existing": await serious_violations(config)}
    await pages.shot(config, "config")

    # this device keeps the facilitator link: its side panel has the controls
    await config.goto(saved["contentUrl"])
    await expect(config.get_by_test_id("tab-agenda")).to_be_visible()

    # a new session from a template
    await config.goto(f"{server.http}/teams/config")
    await config.get_by_label("Evenemangets namn").fill("Ny verkstad")
    await config.get_by_label("Mall").select_option("development-path")
    await config.get_by_role("button", name="Skapa evenemang").click()
    await expect(config.get_by_test_id("teams-ready")).to_contain_text("Ny verkstad")
    created = await (await config.wait_for_function("window.__teamsTab")).json_value()
    assert created["entityId"] != s["id"] and "/teams/side?session=" in created["contentUrl"]
    found["new"] = await serious_violations(config)
    assert found == {"existing": [], "new": []}


async def test_outside_teams_the_tab_is_the_join_page_and_teams_js_stays_away(
    server: PajaServer, pages: Pages
) -> None:
    s = server.create_session("Hybridverkstad", language="sv")
    page = await pages.new("sv", 320, 700)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    await page.goto(
        f"{server.http}/teams/side?{urlencode({'session': s['id'], 'join': s['join_code']})}"
    )
    await expect(page.locator("#name")).to_be_visible()  # the join code's own page
    await expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    assert len(scripts) == 1, f"only the app's own bundle, not teams-js: {scripts}"
