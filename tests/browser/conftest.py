"""A real headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium.

Nothing is downloaded at run time: the driver path is given, so Selenium Manager never runs.
Without the browser the tests are skipped with one line, unless REQUIRE_BROWSER_TESTS=1 (CI),
where a missing browser fails them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).parent / "screenshots"
AXE = Path(__file__).resolve().parents[2] / "web" / "vendor" / "axe-core" / "axe.min.js"
T = TypeVar("T")


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(path)):
            return f"{path} not found"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


class Browser:
    """One headless Chromium window; every blocking WebDriver call runs in a thread, so the bot
    under test (on this test's event loop) keeps answering while the browser waits on it."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.viewport = 320

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(call, *args)

    async def open(self, url: str) -> None:
        await self.run(self.driver.get, url)

    async def js(self, script: str, *args: Any) -> Any:
        return await self.run(self.driver.execute_script, script, *args)

    async def js_async(self, script: str, *args: Any) -> Any:
        return await self.run(self.driver.execute_async_script, script, *args)

    async def width(self, pixels: int, height: int = 900) -> None:
        """The page's viewport width (headless windows have a minimum width of their own, so
        the device metrics are set instead: 320 px is the meeting side panel)."""
        self.viewport = pixels
        await self.run(self.driver.execute_cdp_cmd, "Emulation.setDeviceMetricsOverride",
                       {"width": pixels, "height": height, "deviceScaleFactor": 1,
                        "mobile": False})

    async def text(self, selector: str) -> str:
        return str(await self.js(
            "const n = document.querySelector(arguments[0]); return n ? n.innerText : '';",
            selector))

    async def wait_for(self, script: str, timeout: float = 10.0, *args: Any) -> Any:  # noqa: ASYNC109
        """Until `script` returns something truthy in the page; fails with the page's text."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = await self.js(script, *args)
            if value:
                return value
            if loop.time() > deadline:
                body = await self.text("body")
                raise AssertionError(f"timed out waiting for {script!r}; page says: {body!r}")
            await asyncio.sleep(0.05)

    async def errors(self) -> list[str]:
        """What the page wrote to the console as errors since last asked (scripts, CSP)."""
        entries = await self.run(self.driver.get_log, "browser")
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        height = await self.js("return document.documentElement.scrollHeight")
        await self.width(self.viewport, max(600, min(int(height) + 20, 2400)))
        await self.run(self.driver.save_screenshot, str(path))
        await self.width(self.viewport)
        return path

    async def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        if not await self.js("return !!window.axe"):
            await self.js(AXE.read_text(encoding="utf-8"))
        result = await self.js_async(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
            " nodes: v.nodes.map(n => n.target.join(' '))}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));")
        return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {missing}", pytrace=False)
        pytest.skip(f"browser tests need chromium and chromedriver ({missing})")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=320,900", "--lang=en-GB"):
        options.add_argument(argument)
    driver = await asyncio.to_thread(webdriver.Chrome, options=options,
                                     service=Service(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(30)
    browser = Browser(driver)
    await browser.width(320)
    try:
        yield browser
    finally:
        await asyncio.to_thread(driver.quit)
