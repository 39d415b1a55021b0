"""Small things a facilitator notices on a Lab day: the agenda is numbered once and keeps each
item's minutes on its title's line, a 1-5 scale stays on one row (on a phone too), the start
page's template choices line up, and the breakout preview says each person's organisation
and kind, so the facilitator can check the mix before opening the rooms."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

LONG_TITLE = (
    "Organisaatiorajojen ylittäminen ja yhteiskehittämisen käytännöt arjessa, "
    "kokeilujen tulokset ja seuraavat askeleet"
)


async def box(locator: Any) -> dict[str, float]:
    b = await locator.bounding_box()
    assert b is not None, locator
    return b  # type: ignore[no-any-return]


async def assert_minutes_on_title_line(title: Any, minutes: Any) -> None:
    """The minutes sit to the right of the title, within the title's lines."""
    t, m = await box(title), await box(minutes)
    assert m["x"] >= t["x"] + t["width"] - 1, (t, m)
    assert t["y"] - 1 <= m["y"] and m["y"] + m["height"] <= t["y"] + t["height"] + 1, (t, m)


async def test_agenda_numbered_once_with_minutes_beside_the_title(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Agenda")
    items = [
        {"title": "Tervetuloa", "duration_ms": 600_000},
        {"title": LONG_TITLE, "duration_ms": 1_200_000},
    ]
    s.ok("PUT", "/agenda", body={"items": items})
    s.ok("POST", "/agenda/next", body={"start_timer": False})
    s.ok("POST", "/agenda/next", body={"start_timer": False})

    for width, height in [(1400, 900), (1920, 1080)]:
        fac = await pages.new("fi", width, height)
        await fac.goto(local(s.created["facilitator_url"], server.http))
        await fac.get_by_test_id("tab-agenda").click()
        rows = fac.locator(".agenda-list li")
        await expect(rows).to_have_count(2)
        # the list numbers its items; the titles do not number them again
        await expect(rows.nth(0).get_by_role("button")).to_have_text("Tervetuloa")
        await expect(rows.nth(1).get_by_role("button")).to_have_text(LONG_TITLE)
        await assert_minutes_on_title_line(
            rows.nth(1).get_by_role("button"), rows.nth(1).locator(".hint").first
        )
        await pages.shot(fac, f"01-agenda-facilitator-{width}")

    for lang, width, height in [("sv", 1400, 900), ("en", 390, 844)]:
        me = await pages.new(lang, width, height, phone=width < 820)
        await join_as_participant(me, local(s.created["participant_url"], server.http), "Olli")
        if width < 820:  # a phone folds the tools into a bottom sheet
            await me.get_by_role("button", name="Session tools").click()
        await me.get_by_test_id("tab-agenda").click()
        row = me.locator(".agenda-list li").nth(1)
        await expect(row.locator(".agenda-title")).to_have_text(LONG_TITLE)
        await assert_minutes_on_title_line(row.locator(".agenda-title"), row.locator(".hint").first)
        await pages.shot(me, f"02-agenda-participant-{lang}-{width}")


async def test_a_scale_poll_stays_on_one_row(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Palaute", language="fi")
    people = []
    for lang, width, height in [("fi", 1400, 900), ("sv", 390, 844), ("fi", 1920, 1080)]:
        p = await pages.new(lang, width, height, phone=width < 820)
        await join_as_participant(
            p, local(s.created["participant_url"], server.http), f"Henkilö {len(people) + 1}"
        )
        people.append((p, lang, width))
    s.ok("POST", "/polls", body={"preset": "heard"})
    for p, lang, width in people:
        radios = p.get_by_test_id("poll-form").locator("input[type=radio]")
        await expect(radios).to_have_count(5)
        tops = {round((await box(radios.nth(i)))["y"]) for i in range(5)}
        assert len(tops) == 1, (lang, width, tops)
        await pages.shot(p, f"scale-{lang}-{width}")


async def test_the_template_choices_line_up(server: PajaServer, pages: Pages) -> None:
    for lang, width, height in [("en", 1400, 900), ("fi", 390, 844), ("sv", 1920, 1080)]:
        page = await pages.new(lang, width, height)
        await page.goto(server.http + "/")
        radios = page.locator("fieldset input[type=radio]")
        await expect(radios.nth(2)).to_be_visible()  # "no template", and the templates
        boxes = [await box(radios.nth(i)) for i in range(await radios.count())]
        assert len({round(b["x"]) for b in boxes}) == 1, (lang, boxes)
        assert len({round(b["width"]) for b in boxes}) == 1, (lang, boxes)
        await pages.shot(page, f"start-{lang}-{width}")


async def test_the_breakout_preview_shows_each_persons_tags(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Trio")
    s.join("Pia", ["org:Valtori", "kind:supervisor"])
    s.join("Olli", ["org:Kela", "kind:newcomer"])
    s.join("Sara", ["org:THL"])
    for lang, width, height, expected in [
        ("en", 1400, 900, "Valtori · Supervisor"),
        ("fi", 1920, 1080, "Valtori · Esihenkilö"),
        ("sv", 390, 844, "Valtori · Chef"),
    ]:
        fac = await pages.new(lang, width, height, phone=width < 820)
        await fac.goto(local(s.created["facilitator_url"], server.http))
        if width < 820:
            await fac.get_by_role("button", name="Verktyg för evenemanget").click()
        await fac.get_by_test_id("tab-breakouts").click()
        if lang == "en":
            await fac.get_by_test_id("breakout-preview").click()
        room = fac.get_by_test_id("room")
        await expect(room).to_have_count(1)
        await expect(room.locator(".member", has_text="Pia")).to_contain_text(expected)
        await expect(room.locator(".member", has_text="Sara")).to_contain_text("THL")
        await pages.shot(fac, f"breakout-preview-{lang}-{width}")
