"""Browser tests: Debian's Chromium, headless, driven by Python playwright against a real
`paja serve`. No browser is ever downloaded; scripts/test installs Debian's chromium, and
without it these tests fail saying what is missing.

Every test saves screenshots under test-artifacts/e2e/ (gitignored)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

# The async API, on pytest-asyncio's loop: the sync API's greenlets leave CPython 3.11's
# cached running loop pointing at Playwright's closed loop, which hangs later async tests.
from playwright import async_api as playwright_api

from support.processes import ROOT

CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "client" / "dist" / "index.html"
AXE = ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "e2e"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

playwright_api.expect.set_options(timeout=10_000)  # a loaded 2-core CI machine is slow


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests each make a session of their own and never count what the server
    holds, so a module's tests share its `server` (one that stops its server takes its
    own from `server_factory`)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.parent == here:
            item.add_marker(pytest.mark.shared_server)


def what_is_missing() -> str | None:
    if not CHROMIUM.exists():
        return "no /usr/bin/chromium (apt-get install chromium)"
    if not DIST.exists():
        return "the client is not built (scripts/test builds it: cd client && npm run build)"
    return None


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    """One headless Chromium for every browser test (each person gets a fresh context),
    closed before the rest of the suite runs."""
    missing = what_is_missing()
    if missing:
        pytest.fail(missing)
    async with playwright_api.async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        await b.close()


class Pages:
    """Browser contexts for one test: one per person, each with its own storage."""

    def __init__(self, browser: Any, test_name: str) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []
        self.console: list[str] = []  # printed when a test fails: pytest shows captured output
        self.prefix = re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-")[:40]
        SHOTS.mkdir(parents=True, exist_ok=True)

    async def new(
        self,
        locale: str = "en",
        width: int = 1280,
        height: int = 800,
        *,
        inject: bool = False,
        phone: bool = False,
    ) -> Any:
        """A page in a fresh context; `inject` lets a test add a script (axe-core) past the
        server's Content-Security-Policy, which otherwise allows only the app's own scripts;
        `phone` makes it a touch screen with a mobile viewport, as a phone's browser is."""
        context = await self.browser.new_context(
            locale=locale,
            viewport={"width": width, "height": height},
            reduced_motion="reduce",
            bypass_csp=inject,
            has_touch=phone,
            is_mobile=phone,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"{locale}: {e}"))
        page.on("console", lambda m: self.on_console(locale, m))
        return page

    def on_console(self, locale: str, message: Any) -> None:
        """Keep errors and warnings to print; a Content-Security-Policy violation fails the
        test (something the app does is blocked for real users), other console errors are
        expected ones, such as a refused socket that a test provokes."""
        if message.type not in ("error", "warning"):
            return
        line = f"{locale} {message.type}: {message.text}"
        self.console.append(line)
        if "Content Security Policy" in message.text:
            self.errors.append(line)

    async def shot(self, page: Any, name: str) -> Path:
        path = SHOTS / f"{self.prefix}-{name}.png"
        await page.screenshot(path=str(path))
        return path

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def pages(browser: Any, request: pytest.FixtureRequest) -> AsyncIterator[Pages]:
    p = Pages(browser, request.node.name)
    yield p
    await p.close()
    for line in p.console:
        print(line)
    assert not p.errors, f"uncaught errors or CSP violations in the pages: {p.errors}"


def local(url: str, http: str) -> str:
    """A link the server built, pointed at the test server's address."""
    return re.sub(r"^https?://[^/]+", http, url)


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now,
    one line each; the page must come from `pages.new(inject=True)`."""
    if not AXE.exists():
        pytest.fail("client/node_modules/axe-core is missing (scripts/test runs npm ci in client/)")
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def join_as_participant(
    page: Any, url: str, name: str, org: str | None = None, kind: str | None = None
) -> None:
    """Join from a participant link the way a person does: type the name (and the
    organisation and kind, when the link asks for them), submit, and wait for the board."""
    await page.goto(url)
    await page.locator("#name").fill(name)
    if org is not None:
        await page.locator("#org").fill(org)
    if kind is not None:
        await page.locator(f"input[name=kind][value={kind}]").check()
    await page.locator("form button[type=submit]").click()
    await playwright_api.expect(page.get_by_test_id("canvas")).to_be_visible()
