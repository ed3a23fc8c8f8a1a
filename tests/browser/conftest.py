"""Browser tests: the real studio on a free port, driven by Playwright through the system Chromium.

No browser is downloaded: Playwright launches the distribution's Chromium (`/usr/bin/chromium`, or the path
in `STUDIO_TEST_CHROMIUM`); `.ci/run` installs it with apt-get when it is missing. Without it the tests skip,
naming what to install. A failing test leaves a screenshot of its page under `test-artifacts/browser/`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from engine.engine import Engine
from engine.settings import Settings, load_settings
from tests.support.studio_app import running_studio

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
WIDE = {"width": 1400, "height": 1000}
NARROW = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """The system Chromium, or None when this machine has none."""
    configured = os.environ.get("STUDIO_TEST_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by the page fixtures' teardown
    return report


@pytest.fixture(scope="session")
def browser_settings(tmp_path_factory: pytest.TempPathFactory, shared_model_cache: Path) -> Settings:
    return load_settings(
        data_dir=tmp_path_factory.mktemp("browser-data"), model_cache_dir=shared_model_cache,
        cpu_workers=2, _env_file=None,
    )


@pytest.fixture(scope="session")
def studio(browser_settings: Settings) -> Iterator[tuple[Engine, str]]:
    """The real studio, shared by every browser test of the session: (engine, base URL)."""
    if chromium_path() is None:
        pytest.skip("no system Chromium: install the `chromium` package (apt-get install chromium)")
    with running_studio(browser_settings) as running:
        yield running


@pytest.fixture(scope="session")
def studio_url(studio: tuple[Engine, str]) -> str:
    return studio[1]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no system Chromium: install the `chromium` package (apt-get install chromium)")
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    yield launched
    launched.close()


def _open(browser: Browser, url: str, viewport: dict[str, int], request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_role("tab", name="Onboarding & scenarios").wait_for()
    yield page
    failed = any(getattr(request.node, f"report_{when}", None) and getattr(request.node, f"report_{when}").failed
                 for when in ("setup", "call"))
    if failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}px.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser: Browser, studio_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser session on the studio at 1400×1000."""
    yield from _open(browser, studio_url, WIDE, request)


@pytest.fixture
def narrow_page(browser: Browser, studio_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser session on the studio at a phone's 390×844."""
    yield from _open(browser, studio_url, NARROW, request)
