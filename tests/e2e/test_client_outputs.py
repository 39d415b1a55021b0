"""What a session leaves behind, in the browser: a harvest brought twice is there once,
a section drawn around notes holds them for everyone, each viewer reads the session in
their own language, and a posted summary shows as formatted text with nothing of its
HTML let in."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local, serious_violations


def sections_of(client: Any) -> dict[str, Any]:
    return dict(client.doc.get("sections", type=Map).to_py() or {})


async def joined(
    pages: Pages, s: Session, server: PajaServer, name: str, lang: str, *, inject: bool = False
) -> Any:
    page = await pages.new(lang, 1400, 900, inject=inject)
    await join_as_participant(page, local(s.created["participant_url"], server.http), name)
    return page


async def type_note(page: Any, text: str) -> None:
    await expect(page.locator("textarea.note-editor")).to_be_focused()
    await page.keyboard.type(text)
    await page.keyboard.press("Escape")
    await expect(page.locator("textarea.note-editor")).to_have_count(0)


async def test_bringing_a_harvest_twice_leaves_one_copy(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Harvest", language="en")
    pia = await joined(pages, s, server, "Pia", "en")
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 1, "closing_ms": 0})
    s.ok("POST", "/breakouts/r1/open")
    await expect(pia.get_by_test_id("board-select")).to_have_value("breakout-1")
    for text in ("Pilot in spring", "Ask HR"):
        await pia.get_by_test_id("new-note").click()
        await type_note(pia, text)
    s.ok("POST", "/breakouts/r1/close")
    await expect(pia.get_by_test_id("board-select")).to_have_value("main")

    await pia.get_by_role("button", name="Open your room's board").click()
    await expect(pia.get_by_test_id("board-select")).to_have_value("breakout-1")
    await pia.locator(".note", has_text="Pilot in spring").click()
    await pia.locator(".note", has_text="Ask HR").click(modifiers=["Shift"])
    bring = pia.get_by_role("button", name="Bring 2 to the main board")
    main = await s.open("main")
    for again in (False, True):
        async with pia.expect_response(lambda r: r.url.endswith("/promote")) as answered:
            await bring.click()
        # the second press adds nothing, and says so (200, not 201)
        assert (await answered.value).status == (200 if again else 201)
        await expect(bring).to_be_enabled()
        await eventually(lambda: len(main.notes()) == 2, what="the two copies on main")
    assert len(sections_of(main)) == 1, sections_of(main)
    assert sorted(str(n["text"]) for n in main.notes().values()) == ["Ask HR", "Pilot in spring"]
    await pages.shot(pia, "harvest-twice")
    await s.close_all()


async def test_a_section_drawn_around_a_note_holds_it_in_the_session_language(
    server: PajaServer, pages: Pages
) -> None:
    """An English facilitator in a Finnish session: the note written before the section is
    filed under it as soon as the section is drawn, and the section's default title is
    the session's Finnish one, since everyone reads it."""
    s = Session.create(server, "Alueet", language="fi")
    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    canvas = fac.get_by_test_id("canvas")
    await expect(canvas).to_be_visible()
    box = await canvas.bounding_box()
    await canvas.dblclick(position={"x": box["width"] / 2, "y": box["height"] / 2})
    await type_note(fac, "Written before the section")
    main = await s.open("main")
    await eventually(lambda: len(main.notes()) == 1, what="the note is stored")

    await fac.get_by_role("button", name="New section").click()
    await eventually(lambda: len(sections_of(main)) == 1, what="the section is stored")
    [(section_id, section)] = sections_of(main).items()
    await eventually(
        lambda: [n["section"] for n in main.notes().values()] == [section_id],
        what="the note is filed under the section",
    )
    assert section["title"] == "Uusi alue"
    await pages.shot(fac, "section-around-note")
    await s.close_all()


async def test_a_swedish_viewer_reads_a_finnish_template_session_in_swedish(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Utvecklingsdag", template="development-path", language="fi")
    fac = await pages.new("fi", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    # No one has joined: the refusal is said in Finnish, not in the server's English.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.locator("#bo-strategy").select_option("keep_apart")
    await fac.locator("#bo-size").fill("3")
    await fac.get_by_test_id("breakout-preview").click()
    await expect(fac.get_by_role("alert")).to_have_text(
        "Kukaan ei ole vielä liittynyt, joten huoneisiin ei ole ketään jaettavaksi."
    )

    olli = await joined(pages, s, server, "Olli", "sv")
    boards = olli.get_by_test_id("board-select").locator("option")
    await expect(boards.first).to_have_text("Gemensam tavla")
    await expect(boards).to_contain_text(["Gemensam tavla", "Bli intresserad", "Kartlägg"])
    s.ok("POST", "/agenda/next", body={})
    s.ok("POST", "/agenda/next", body={})
    await expect(olli.get_by_test_id("agenda-now")).to_contain_text("Bli intresserad")
    await expect(olli.get_by_test_id("board-select")).to_have_value("get-interested")
    await olli.get_by_test_id("tab-agenda").click()
    await expect(olli.locator(".agenda-list .instructions")).to_have_text(
        "Varför är ämnet viktigt? Vem berör det?"
    )
    await pages.shot(olli, "swedish-ui")
    await s.close_all()


SUMMARY = "\n".join(
    [
        "# Retro",
        "",
        "*Summary* · 2025-11-23",
        "",
        "## At a glance",
        "",
        "- Participants: 4",
        "- Notes: 7",
        "",
        "## Top-voted notes",
        "",
        r"1. Pilot \*now\* — 3 dots",
        "2. <img src=x onerror=alert(1)> <b>bold?</b>",
        "",
        "[a link](javascript:alert(1)) and [docs](https://example.org/docs)",
    ]
)


async def test_a_posted_summary_shows_formatted_and_never_as_html(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Retro", language="en")
    s.ok("POST", "/summaries", s.created["bot_token"], {"author": "Paja bot", "markdown": SUMMARY})
    pia = await joined(pages, s, server, "Pia", "en", inject=True)  # axe-core is added
    await pia.get_by_test_id("tab-summaries").click()
    summary = pia.get_by_test_id("summary").locator(".summary-text")
    await expect(summary.locator("h3")).to_have_text("Retro")
    await expect(summary.locator("h4")).to_have_text(["At a glance", "Top-voted notes"])
    await expect(summary.locator("em").first).to_have_text("Summary")
    await expect(summary.locator("ul > li")).to_have_text(["Participants: 4", "Notes: 7"])
    await expect(summary.locator("ol > li")).to_have_text(
        ["Pilot *now* — 3 dots", "<img src=x onerror=alert(1)> <b>bold?</b>"]
    )
    await expect(summary.locator("ol")).not_to_have_attribute("start", "0")
    assert await summary.locator("img, b, script").count() == 0
    assert "#" not in await summary.inner_text()
    links = summary.locator("a")
    await expect(links).to_have_count(1)
    await expect(links).to_have_attribute("href", "https://example.org/docs")
    await pages.shot(pia, "summary-view")
    assert await serious_violations(pia) == []
    await s.close_all()
