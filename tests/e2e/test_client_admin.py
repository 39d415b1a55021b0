"""Running a session from the browser (issue 17): everything that needed curl is a control
of the facilitator's page. Exports download, a session file opens as a new session on the
start page, the session ends and is deleted for good after its title is typed; webhooks
are added, tested against a receiver on 127.0.0.1, retried from their dead letters and
removed; people are removed, promoted and demoted, hands and reactions reach the
facilitator and the Lab display; locks set in the browser hold against a stock client."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect
from pycrdt import Map
from test_webhooks import FAST, Receiver

from support.commands import Session, section
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local
from .test_client_accessibility import serious_violations

SHOTS = Path("/tmp/shots-admin")


async def shot(pages: Pages, page: Any, name: str) -> None:
    """A screenshot in the test's artifacts, copied where the reviewers look."""
    _keep(await pages.shot(page, name), name)


def _keep(path: Path, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def _text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


async def download(page: Any, testid: str) -> str:
    async with page.expect_download() as started:
        await page.get_by_test_id(testid).click()
    got = await started.value
    return _text(str(await got.path()))


async def test_exports_webhooks_end_and_delete_from_the_session_tab(
    server_factory: type[PajaServer], pages: Pages
) -> None:
    server = server_factory(args=FAST).start()
    receiver = Receiver()
    try:
        s = Session.create(server, "Strategy day", language="en")
        s.join("Pia")
        fac = await pages.new("en", 1400, 900, inject=True)
        await fac.goto(local(s.created["facilitator_url"], server.http))
        await fac.get_by_test_id("tab-admin").click()

        exported = json.loads(await download(fac, "export-json"))
        assert exported["session"]["title"] == "Strategy day"
        assert "# Strategy day" in await download(fac, "export-markdown")
        assert (await download(fac, "export-csv")).startswith("board,section,note,text")

        # A signed JSON webhook: its secret shows once; a test event reaches the receiver.
        await fac.get_by_test_id("webhook-url").fill(receiver.url("/ok"))
        await fac.get_by_test_id("webhook-json").check()
        await fac.get_by_test_id("webhook-add").click()
        await expect(fac.get_by_test_id("webhook-secret")).to_be_visible()
        await fac.get_by_test_id("webhook-test").click()
        await eventually(lambda: len(receiver.at("/ok")) == 1, what="the test event")
        sent = json.loads(receiver.at("/ok")[0].body)
        assert sent["type"] == "webhook.test" and sent["session"]["id"] == s.id
        assert any("signature" in k for k in receiver.at("/ok")[0].headers)
        deliveries = fac.get_by_test_id("delivery-list").locator("li")
        await expect(deliveries.first).to_have_attribute("data-state", "delivered")
        await shot(pages, fac, "admin-session-tab-1400")
        assert await serious_violations(fac) == []
        await fac.set_viewport_size({"width": 1920, "height": 1080})
        await shot(pages, fac, "admin-session-tab-1920")
        await fac.set_viewport_size({"width": 1400, "height": 900})

        # A Teams webhook whose receiver fails: a dead letter, sent again, then delivered.
        await fac.get_by_test_id("webhook-remove").click()
        await expect(fac.get_by_test_id("webhook-list").locator("li")).to_have_count(0)
        receiver.script("/down", [500, 500, 500])
        await fac.get_by_test_id("webhook-url").fill(receiver.url("/down"))
        await fac.get_by_test_id("webhook-teams").check()
        await fac.get_by_test_id("webhook-add").click()
        await fac.get_by_test_id("webhook-test").click()
        dead = fac.locator(".delivery-list li[data-state=dead]")
        await expect(dead).to_have_count(1, timeout=20_000)
        await dead.get_by_test_id("delivery-retry").click()
        await eventually(lambda: len(receiver.at("/down")) == 4, what="the retried delivery")
        card = json.loads(receiver.at("/down")[3].body)
        assert card["attachments"][0]["content"]["type"] == "AdaptiveCard"
        await expect(fac.locator(".delivery-list li[data-state=delivered]")).to_have_count(2)
        assert [w["format"] for w in s.ok("GET", "/webhooks")] == ["teams"]

        # End, then delete for good: the button waits for the title to be typed.
        await fac.get_by_test_id("end-session").click()
        await fac.get_by_test_id("confirm-yes").click()
        control = await s.open("control")
        await eventually(lambda: section(control, "session").get("ended_at") is not None)
        await control.close()
        await fac.get_by_test_id("delete-session").click()
        confirm = fac.get_by_test_id("delete-confirm")
        await expect(confirm).to_be_disabled()
        await fac.get_by_test_id("delete-typed").fill("Strategy")
        await expect(confirm).to_be_disabled()
        await fac.get_by_test_id("delete-typed").fill("Strategy day")
        await shot(pages, fac, "admin-delete-1400")
        await confirm.click()
        await fac.wait_for_url(f"{server.http}/")
        assert s.call("GET", "").status_code == 401
    finally:
        receiver.close()


async def test_a_session_file_opens_as_a_new_session_on_the_start_page(
    server: PajaServer, pages: Pages, tmp_path: Path
) -> None:
    s = Session.create(server, "Kickoff", language="en")
    s.ok("PUT", "/agenda", body={"items": [{"title": "Welcome"}, {"title": "Map"}]})
    exported = httpx.get(
        f"{server.http}/api/sessions/{s.id}/export",
        headers={"Authorization": f"Bearer {s.facilitator}"},
    )
    file = tmp_path / "kickoff.json"
    file.write_bytes(exported.content)
    (tmp_path / "bad.json").write_text("not json")
    start = await pages.new("sv", 1400, 900)
    await start.goto(server.http + "/")
    await start.get_by_test_id("import-file").set_input_files(str(tmp_path / "bad.json"))
    await expect(start.locator(".import-session").get_by_role("alert")).to_contain_text("JSON")
    await shot(pages, start, "admin-import-error-1400")
    await start.get_by_test_id("import-file").set_input_files(str(file))
    await start.wait_for_url(lambda url: "/s/" in url and s.id not in url)
    await expect(start.get_by_test_id("tab-agenda")).to_be_visible()
    await start.get_by_test_id("tab-agenda").click()
    await expect(start.locator(".agenda-list li")).to_have_count(2)


async def test_people_hands_reactions_and_links(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Trio", language="en")
    fac = await pages.new("en", 1400, 900, inject=True)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    display = await pages.new("en", 1920, 1080, inject=True)
    await display.goto(local(s.created["display_url"], server.http))
    phone = await pages.new("fi", 390, 844, phone=True)
    await join_as_participant(phone, local(s.created["participant_url"], server.http), "Pia")
    await phone.get_by_role("button", name="Tilaisuuden työkalut").click()
    await phone.get_by_test_id("tab-people").click()

    await phone.get_by_test_id("raise-hand").click()
    await expect(phone.get_by_test_id("raise-hand")).to_have_attribute("aria-pressed", "true")
    await phone.get_by_test_id("react-👍").click()
    await expect(phone.get_by_role("status")).to_have_text("Reaktio lähetetty")
    await phone.get_by_test_id("react-❤️").click()  # within 2 s: refused, and said so
    await expect(phone.locator(".reaction-bar").get_by_role("alert")).to_contain_text(
        "Yksi reaktio kerrallaan"
    )
    await fac.get_by_test_id("tab-people").click()
    await expect(fac.get_by_test_id("hands")).to_contain_text("Pia")
    # drawn as icons, not as emoji that a machine without a colour emoji font shows as boxes
    await expect(
        fac.get_by_test_id("person-reaction").locator("svg[data-emoji='👍']")
    ).to_be_visible()
    shown = display.locator(".display-reaction", has_text="Pia")
    await expect(shown.locator("svg[data-emoji='👍']")).to_be_visible()
    for emoji in ("👍", "❤️", "😂", "❓"):
        await expect(phone.get_by_test_id(f"react-{emoji}").locator("svg")).to_be_visible()
    await expect(phone.get_by_test_id("raise-hand").locator("svg[data-emoji='✋']")).to_be_visible()
    await expect(display.get_by_test_id("display-reactions")).to_contain_text("1 hand up")
    await shot(pages, phone, "admin-reactions-390")
    await shot(pages, fac, "admin-people-1400")
    await shot(pages, display, "admin-display-reactions-1920")
    assert await serious_violations(fac) == [] and await serious_violations(display) == []
    # The reaction leaves the display after a few seconds; the hand stays until lowered.
    await expect(display.locator(".display-reaction")).to_have_count(0, timeout=10_000)
    await fac.get_by_test_id("lower-hand").click()
    await expect(fac.get_by_test_id("hands")).to_have_count(0)
    await expect(phone.get_by_test_id("raise-hand")).to_have_attribute("aria-pressed", "false")

    # Co-facilitator and back; the phone gets the facilitator's tabs while promoted.
    await fac.get_by_test_id("promote").click()
    await expect(phone.get_by_test_id("tab-admin")).to_be_visible()
    await fac.get_by_test_id("demote").click()
    await expect(phone.get_by_test_id("tab-admin")).to_have_count(0)

    # The bot token and the Lab display link minted again: shown with a copy button, the
    # new ones work and the old ones are shut out.
    await fac.get_by_test_id("tab-share").click()
    for link, field, old in [
        ("bot", "bot-token", s.created["bot_token"]),
        ("display", "display-link", s.created["observer_token"]),
    ]:
        await fac.get_by_test_id(f"new-{link}").click()
        await (
            fac.get_by_test_id(f"confirm-{link}")
            .get_by_role("button", name="Make a new one")
            .click()
        )
        shown = fac.get_by_test_id(field)
        await expect(shown).to_be_visible()
        value = await shown.input_value()
        new = value.rsplit("token=", 1)[-1]
        assert new and new != old
        copy = fac.locator(".copy-field", has=shown).get_by_role("button")
        await copy.click()
        await expect(copy).to_have_text("Copied")
        assert s.call("GET", "/summary", token=new).status_code == 200
        assert s.call("GET", "/summary", token=old).status_code == 401
    await shot(pages, fac, "admin-links-1400")
    # The bot token was shown once: after a reload the display link is still there, the
    # bot token is not.
    await fac.reload()
    await fac.get_by_test_id("tab-share").click()
    await expect(fac.get_by_test_id("display-link")).to_be_visible()
    await expect(fac.get_by_test_id("bot-token")).to_have_count(0)

    # Removed: the phone is shut out and the roster is empty.
    await fac.get_by_test_id("tab-people").click()
    await fac.get_by_test_id("remove-person").click()
    await fac.get_by_test_id("confirm-yes").click()
    control = await s.open("control")
    await eventually(lambda: section(control, "roster") == {}, what="Pia removed")
    await expect(fac.get_by_test_id("people-admin").locator("li")).to_have_count(0)
    await control.close()


async def test_locks_set_in_the_browser_hold_against_a_stock_client(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Grid", language="en")
    pia = s.join("Pia")
    lead = await s.open("main")
    lead.doc.get("sections", type=Map)["grid"] = Map(
        {"title": "Impact", "x": 0, "y": 0, "w": 400, "h": 300, "color": "blue"}
    )
    notes = lead.doc.get("notes", type=Map)
    notes["fixed"] = note_map("Decided", author="f", author_name="F", at=1, x=20, y=20)
    notes["loose"] = note_map("Open", author="f", author_name="F", at=1, x=700, y=100)
    fac = await pages.new("en", 1400, 900, inject=True)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    await fac.get_by_test_id("tab-boards").click()
    await fac.get_by_test_id("lock-section").click()
    await expect(fac.get_by_test_id("lock-section")).to_be_checked()
    await fac.get_by_test_id("lock-positions").click()
    await expect(fac.get_by_test_id("lock-positions")).to_be_checked()
    control = await s.open("control")
    await eventually(
        lambda: (
            section(control, "boards")["main"].get("positions_locked") is True
            and section(control, "boards")["main"].get("locked_sections") == ["grid"]
        ),
        what="the locks in control",
    )
    await shot(pages, fac, "admin-locks-1400")
    assert await serious_violations(fac) == []

    # The participant's browser does not move a note while positions are locked.
    me = await pages.new("en", 1400, 900)
    await me.goto(local(s.created["participant_url"], server.http))
    await me.locator("#name").fill("Ville")
    await me.keyboard.press("Enter")
    loose = me.locator(".note", has_text="Open")
    await expect(loose).to_be_visible()
    await expect(me.locator(".section-head", has=me.locator(".section-lock"))).to_have_text(
        "🔒 Impact"
    )
    box = await loose.bounding_box()
    assert box is not None
    await me.mouse.move(box["x"] + 30, box["y"] + 30)
    await me.mouse.down()
    await me.mouse.move(box["x"] + 230, box["y"] + 130, steps=8)
    await me.mouse.up()
    notes["later"] = note_map("Later", author="f", author_name="F", at=2, x=700, y=400)
    await expect(me.locator(".note", has_text="Later")).to_be_visible()  # rendered since
    assert await loose.bounding_box() == box, "the note stayed where it was"
    assert notes["loose"]["x"] == 700

    # Pia's stock client moves it anyway, and edits the locked section: both refused.
    stock = await s.open("main", pia["token"])
    stock.doc.get("notes", type=Map)["loose"]["x"] = 5
    assert await stock.wait_closed() == 4403
    stock = await s.open("main", pia["token"])
    stock.doc.get("notes", type=Map)["fixed"]["text"].insert(0, "Not ")
    assert await stock.wait_closed() == 4403
    assert (notes["loose"]["x"], str(notes["fixed"]["text"])) == (700, "Decided")

    # The whole board locked: the participant's page says it is read-only, writes are dropped.
    await fac.get_by_test_id("lock-board").click()
    await expect(fac.get_by_test_id("lock-board")).to_be_checked()
    await expect(me.locator(".readonly-note")).to_be_visible()
    await shot(pages, me, "admin-locked-board-participant-1400")
    await me.set_viewport_size({"width": 390, "height": 844})
    await expect(me.locator(".readonly-note")).to_be_visible()
    await shot(pages, me, "admin-locked-board-participant-390")
    stock = await s.open("main", pia["token"])
    before = len(stock.frames)
    stock.doc.get("notes", type=Map)["sneaked"] = "in"
    await eventually(lambda: any(f[0] == 2 for f in stock.frames[before:]), what="a refusal")
    notes["after"] = "facilitator"
    await eventually(lambda: "after" in stock.notes(), what="the facilitator's edit")
    assert "sneaked" not in notes
    await s.close_all()
