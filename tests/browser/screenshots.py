"""Screenshots of every tab at 1400 and 390 px into docs/screenshots/ (linked from the README).

    PYTHONPATH=. python tests/browser/screenshots.py [--out docs/screenshots] [--quick]

Launches the real studio on a temporary data folder with the bundled models, does one light
action per tab so the pictures show content (speech in the Playground, a classification
in the Intent lab, a story chapter unless --quick), and saves one PNG per tab and width,
reduced to a palette so each stays well under 300 KB.
"""

from __future__ import annotations

import argparse
import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from engine.settings import load_settings
from tests.browser.conftest import NARROW, WIDE, chromium_path
from tests.browser.seen import open_tab
from tests.support.studio_app import running_studio

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 300_000


def _panel(page: Page):
    return page.get_by_role("tabpanel").filter(visible=True).first


def _playground(page: Page) -> None:
    _panel(page).get_by_role("button", name="Speak", exact=True).click()
    _panel(page).locator("audio").first.wait_for(state="attached", timeout=120_000)


def _intent(page: Page) -> None:
    panel = _panel(page)
    panel.locator("textarea").first.fill("dye my hair pastel pink")  # the request box comes first
    panel.get_by_role("button", name=re.compile("^Classify")).first.click()
    panel.get_by_text("The result appears here.").wait_for(state="detached", timeout=120_000)  # the first loads a model
    page.wait_for_timeout(1000)


def _story(page: Page) -> None:
    panel = _panel(page)
    chapters = panel.get_by_label("number input for Chapters")
    chapters.fill("3")
    chapters.press("Enter")
    panel.get_by_role("button", name="Start adventure").click()
    panel.get_by_text(re.compile(r"Chapter 1 of 3 ·")).wait_for(timeout=600_000)
    page.wait_for_timeout(3000)  # pictures


def _personas(page: Page) -> None:
    panel = _panel(page)
    panel.get_by_label("Name", exact=True).fill("Ada")
    panel.get_by_label("Personality traits").fill("geeky, kind, confident")
    panel.get_by_label("Aesthetic").fill("sleek, futuristic")
    panel.get_by_label("Themes").fill("robotics, open source, chess")
    panel.get_by_label("Appearance description").fill("short dark hair, round glasses, a red jacket")
    panel.get_by_role("button", name="Save profile").click()
    panel.get_by_text(re.compile(r"style tech")).first.wait_for(timeout=60_000)
    panel.get_by_label("Prompt", exact=True).fill("share your thoughts on future trends")
    panel.get_by_label("Template").check()
    panel.get_by_role("button", name="Write post").click()
    panel.get_by_text(re.compile("source: template")).wait_for(timeout=60_000)
    panel.get_by_role("button", name="Generate batch").click()
    panel.get_by_text("Where each image ran").wait_for(timeout=120_000)
    page.wait_for_timeout(2000)  # pictures


def _system(page: Page) -> None:
    page.wait_for_timeout(2000)


ACTIONS: dict[str, Callable[[Page], None]] = {"Playground": _playground, "Intent lab": _intent,
                                              "Story": _story, "Persona templates": _personas, "System": _system}
TABS = ["Onboarding & scenarios", "Intent lab", "Story", "Persona templates", "Playground", "System", "Analytics"]


def _save(png: bytes, path: Path) -> int:
    """Keep the PNG small: a 256-colour palette is enough for a UI screenshot."""
    with Image.open(io.BytesIO(png)) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        if reduced.height > 4000:  # very long pages: cut, the top is what a reader looks at
            reduced = reduced.crop((0, 0, reduced.width, 4000))
        reduced.save(path, optimize=True)
    return path.stat().st_size


def _slug(tab: str) -> str:
    return re.sub(r"[^a-z]+", "-", tab.lower()).strip("-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--quick", action="store_true", help="skip the story chapter (the slow part)")
    parser.add_argument("--tabs", nargs="*", default=TABS)
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        raise SystemExit("no system Chromium: install the `chromium` package")
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as data,
        running_studio(load_settings(data_dir=Path(data), _env_file=None)) as (_, url),
        sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        for viewport in (WIDE, NARROW):
            page = browser.new_context(viewport=viewport).new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            page.get_by_role("tab", name=TABS[0]).wait_for()
            for tab in args.tabs:
                open_tab(page, tab)
                page.wait_for_timeout(800)
                action = ACTIONS.get(tab)
                if action and not (args.quick and tab == "Story"):
                    action(page)
                path = args.out / f"{_slug(tab)}-{viewport['width']}.png"
                size = _save(page.screenshot(full_page=True), path)
                print(f"{path}: {size // 1000} KB")
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
