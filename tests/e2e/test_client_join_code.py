"""Joining with the code on the Lab screen: the facilitator's invite panel and the display
show the code (the display big, with a QR code of its short link), a person opens
/c/{code}, gives a name (and what the link asks for) and lands on the board. A mistyped
code says so in the person's language and lets them type it again."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from support.processes import PajaServer

from .conftest import Pages, local

CODE = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


async def test_people_join_with_the_code_from_the_lab_screen(
    server: PajaServer, pages: Pages
) -> None:
    # The facilitator creates the session on the start page: the invite panel shows the code
    # and the short link to copy.
    fac = await pages.new("en", 1400, 900)
    await fac.goto(server.http + "/")
    await fac.get_by_label("Session title").fill("Koodilla")
    await fac.get_by_role("button", name="Create session").click()
    await fac.wait_for_url(re.compile(r"/s/[^/#]+"))
    code = await fac.get_by_test_id("join-code").input_value()
    assert CODE.match(code), code
    link = await fac.get_by_test_id("join-link").input_value()
    assert link == f"{server.http}/c/{code.replace('-', '')}"
    await fac.get_by_label("their organisation").check()
    await expect(fac.get_by_test_id("join-link")).to_have_value(link + "#ask=org")
    display_url = await fac.get_by_test_id("display-link").input_value()
    assert display_url.endswith("&ask=org") and "join=" not in display_url
    session_id = fac.url.split("/s/")[1].split("#")[0]
    await pages.shot(fac, "01-invite")

    # The Lab screen shows the code big, the short link and its QR code.
    display = await pages.new("fi", 1920, 1080)
    await display.goto(local(display_url, server.http))
    await expect(display.get_by_test_id("display-code")).to_have_text(code)
    join_box = display.get_by_test_id("display-join")
    await expect(join_box).to_contain_text(f"/c/{code.replace('-', '')}")
    await expect(join_box.get_by_role("img", name="Liittymislinkin QR-koodi")).to_be_visible()
    code_size = await display.get_by_test_id("display-code").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert code_size >= 48, "readable from the back of the room"
    await pages.shot(display, "02-display")

    # Someone types the short link in lower case with the dash: the code still works, the
    # page asks for their name and organisation, and they land on the board.
    sv = await pages.new("sv")
    await sv.goto(f"{server.http}/c/{code.lower()}#ask=org")
    await expect(sv.get_by_text("Evenemang: Koodilla")).to_be_visible()
    await sv.locator("#name").fill("Olli")
    await sv.locator("#org").fill("Valtori")
    await pages.shot(sv, "03-code-join-sv")
    await sv.locator("form button[type=submit]").click()
    await expect(sv.get_by_test_id("canvas")).to_be_visible()
    await fac.get_by_test_id("tab-people").click()
    await expect(fac.locator(".people-list")).to_contain_text("Olli")
    await expect(fac.locator(".people-list")).to_contain_text("Valtori")

    # A reload of the short link goes straight back to the board: the browser remembers.
    await sv.reload()
    await expect(sv.get_by_test_id("canvas")).to_be_visible()
    assert await sv.locator("#name").count() == 0
    creds = await sv.evaluate(f"JSON.parse(localStorage.getItem('paja:p:{session_id}'))")
    assert creds["name"] == "Olli"
    r = httpx.get(
        f"{server.http}/api/sessions/{session_id}/votes/none/dots",
        headers={"Authorization": f"Bearer {creds['token']}"},
        timeout=10,
    )
    assert r.status_code == 404, "the remembered token is a real participant token"

    # A misread code says so, in Finnish, and offers to type it again.
    fi = await pages.new("fi")
    await fi.goto(f"{server.http}/c/ZZZZ-2222")
    await expect(fi.get_by_role("alert")).to_have_text(
        "Millään työpajalla ei ole tätä liittymiskoodia. "
        "Tarkista koodi näytöltä ja yritä uudelleen."
    )
    assert await fi.locator("#name").count() == 0
    await pages.shot(fi, "04-bad-code-fi")
    await fi.get_by_label("Liittymiskoodi").fill(code.lower())
    await fi.get_by_role("button", name="Kokeile tätä koodia").click()
    await expect(fi.locator("#name")).to_be_visible()
    await expect(fi.get_by_text("Työpaja: Koodilla")).to_be_visible()
    await fi.locator("#name").fill("Pia")
    await fi.keyboard.press("Enter")
    await expect(fi.get_by_test_id("canvas")).to_be_visible()
    await expect(fac.locator(".people-list")).to_contain_text("Pia")
