"""A template that carries the method, as a facilitator uses it: the five-phase path's
boards open with their sections drawn, and the agenda item's step buttons open the
breakout round and start the feedback polls with one click each (docs/templates.md)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from playwright.async_api import expect

from support.commands import Session, current_round, section
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, local


async def test_the_facilitator_runs_the_templates_steps_with_one_click(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Kehittämisen polku", template="development-path", language="fi")
    for n in range(8):
        s.join(f"Osallistuja {n + 1}")
    control = await s.open("control")

    laptop = None
    for width, height in [(1400, 900), (1920, 1080)]:
        fac = await pages.new("fi", width, height)
        laptop = laptop or fac
        await fac.goto(local(s.created["facilitator_url"], server.http))
        # the boards open with the template's sections drawn on them
        await fac.get_by_test_id("board-select").select_option("experiment")
        canvas = fac.get_by_test_id("canvas")
        await expect(canvas).to_contain_text("Suuri vaikutus, pieni vaiva")
        await expect(canvas).to_contain_text("Kokeilu")
        await expect(canvas).to_contain_text("Miten mittaamme?")
        await pages.shot(fac, f"experiment-{width}")
        await fac.get_by_test_id("board-select").select_option("map")
        await expect(canvas).to_contain_text("Mitä haluamme tietää")
        await pages.shot(fac, f"map-{width}")

    # The map item comes: its step opens a breakout round in groups of four.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Kartoita", exact=True).click()
    step = fac.get_by_role("button", name=re.compile("Avaa ryhmätilat: Satunnaisesti, 4 hengen"))
    await pages.shot(fac, "step-before")
    await step.click()
    await eventually(lambda: (current_round(control) or {}).get("state") == "open")
    opened = current_round(control) or {}
    assert [len(room["members"]) for room in opened["rooms"]] == [4, 4]
    done = fac.get_by_role("button", name=re.compile("^✓ Avaa ryhmätilat"))
    await expect(done).to_be_disabled()

    # The feedback item comes: its step starts both feedback polls.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Palaute", exact=True).click()
    await fac.get_by_role("button", name="▶ Käynnistä palautekyselyt (2)").click()
    await eventually(lambda: len(section(control, "polls")) == 2)
    presets = sorted(p["preset"] for p in section(control, "polls").values())
    assert presets == ["heard", "use"]
    await expect(fac.get_by_role("button", name="✓ Käynnistä palautekyselyt (2)")).to_be_disabled()
    await pages.shot(fac, "step-done")
    assert laptop is not None  # a second facilitator's screen shows the steps as done too
    await laptop.get_by_test_id("tab-agenda").click()
    await expect(laptop.get_by_role("button", name=re.compile("^✓ Käynnistä"))).to_be_disabled()
    await pages.shot(laptop, "step-done-1400")

    # The facilitator saves the session as a template: a file to download, and a choice
    # on this server's start page.
    async with fac.expect_download() as downloading:
        await fac.get_by_role("button", name="Tallenna pohjaksi (lataa tiedosto)").click()
    downloaded = await (await downloading.value).path()
    saved = json.loads(await asyncio.to_thread(Path(downloaded).read_text, encoding="utf-8"))
    assert [b["name"] for b in saved["boards"]] == [
        "get-interested",
        "map",
        "experiment",
        "develop",
        "use",
    ]
    assert saved["agenda"][2]["steps"][0]["kind"] == "breakout"
    start = await pages.new("sv", 1400, 900)
    await start.goto(server.http + "/")
    choices = start.locator("label.choice", has_text="Kehittämisen polku")
    await expect(choices).to_have_count(1)  # the saved one, titled after the session
    await expect(start.locator("label.choice", has_text="Utvecklingsstigen")).to_have_count(1)
    await pages.shot(start, "start-page")

    # A hand-edited file with a wrong strategy is refused, naming the field, in Swedish.
    saved["agenda"][2]["steps"][0]["strategy"] = "alphabetical"
    upload = start.get_by_label("Lägg till en mall från en fil")
    bad = json.dumps(saved).encode()
    await upload.set_input_files(
        {"name": "bad.json", "mimeType": "application/json", "buffer": bad}
    )
    refusal = start.get_by_role("alert")
    await expect(refusal).to_contain_text("kontrollera fältet agenda[2].steps[0].strategy")
    await refusal.scroll_into_view_if_needed()
    await pages.shot(start, "start-page-refused")
    await s.close_all()
