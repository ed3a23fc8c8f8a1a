"""The Playground, System and Intent lab tabs in the browser: what a person sees, refusals that block nothing."""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser.seen import (
    assert_no_error,
    assert_no_error_covers_a_button,
    media_loaded,
    open_tab,
    status_lines_seen,
    toasts,
    watch_status_lines,
)

MODEL_WAIT_MS = 300_000  # the first call loads a bundled model on a shared CPU
INTENT_COMPARE_WAIT_MS = 120_000  # the LLM classifier scores the nine labels in about a second
FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"


def _panel(page: Page) -> Locator:
    return page.get_by_role("tabpanel").filter(visible=True).first


def _wait_loaded(page: Page, media: Locator) -> None:
    media.wait_for(state="attached", timeout=MODEL_WAIT_MS)
    page.wait_for_function(
        "e => e.tagName === 'IMG' ? e.complete && e.naturalWidth > 0 : e.readyState >= 1 && e.duration > 0",
        arg=media.element_handle(), timeout=60_000,
    )
    assert media_loaded(media)


def test_playground_writes_text_speaks_and_a_refusal_blocks_nothing(page: Page) -> None:
    open_tab(page, "Playground")
    panel = _panel(page)
    panel.get_by_label("Prompt", exact=True).fill("Write one short line about the sea.")
    tokens = panel.get_by_label("number input for Max new tokens")
    tokens.fill("16")
    tokens.press("Enter")
    watch_status_lines(page)
    panel.get_by_role("button", name="Generate text", exact=True).click()
    expect(panel.get_by_text(re.compile("^Routed to"))).to_be_visible(timeout=MODEL_WAIT_MS)
    expect(panel.get_by_label("Streamed answer")).not_to_have_value("", timeout=MODEL_WAIT_MS)
    expect(panel.locator(".action-status").first).to_have_text("", timeout=MODEL_WAIT_MS)  # done: the stage goes
    assert any(line.startswith(("Choosing a model", "Loading", "Writing")) for line in status_lines_seen(page))

    panel.get_by_role("button", name="Speak", exact=True).click()
    audio = panel.locator("audio[src]").first  # the player's loaded element (a hidden one waits unused)
    _wait_loaded(page, audio)
    assert_no_error(page)

    # a refusal: a warning toast; the last speech stays playable and the button stays usable
    panel.get_by_label("Text to speak").fill("   ")
    panel.get_by_role("button", name="Speak", exact=True).click()
    expect(page.locator('[data-testid="toast-body"].warning')).to_contain_text("write something to speak")
    assert_no_error(page)
    assert_no_error_covers_a_button(page)
    assert media_loaded(panel.locator("audio[src]").first)
    panel.get_by_label("Text to speak").fill("Back again.")
    panel.get_by_role("button", name="Speak", exact=True).click()
    expect(panel.locator(".action-status").nth(1)).to_have_text("")
    assert_no_error(page)


def _headers_on_screen(page: Page, table: Locator) -> list[str]:
    """The column names of `table` whose text lies wholly inside the viewport's width."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    cells = table.locator('[role="columnheader"]').filter(visible=True)
    shown = []
    for i in range(cells.count()):
        box = cells.nth(i).locator("span.text").first.bounding_box()
        if box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1:
            shown.append(cells.nth(i).inner_text().strip())
    return shown


def _check_system(page: Page) -> None:
    open_tab(page, "System")
    panel = _panel(page)
    adapters = panel.locator(".block").filter(has_text="Adapters: available, in use and loaded").last
    expect(adapters.locator('[role="gridcell"]').filter(has_text="in use, ").first).to_be_visible()
    assert _headers_on_screen(page, adapters) == ["capability", "adapter", "state", "why"]
    assert not re.search("[\u2600-\u27bf\U0001f300-\U0001faff]", panel.inner_text())  # badges are words
    # a fresh visitor has made nothing: no empty tables of their calls and jobs
    expect(panel.get_by_text("Latest queue jobs")).to_be_hidden()
    expect(panel.get_by_text("Latest model calls")).to_be_hidden()
    expect(panel.get_by_text("Smoke test", exact=True)).to_be_hidden()

    panel.get_by_role("button", name="Cancel job", exact=True).click()
    expect(page.locator('[data-testid="toast-body"].warning')).to_contain_text("Paste the id of a job")
    assert_no_error(page)
    assert_no_error_covers_a_button(page)


def test_system_tab_reads_whole_on_a_wide_and_a_narrow_screen(page: Page, narrow_page: Page) -> None:
    _check_system(page)
    _check_system(narrow_page)


def test_intent_lab_processes_a_face_and_compares_the_classifiers(page: Page) -> None:
    open_tab(page, "Intent lab")
    panel = _panel(page)
    panel.locator("textarea").first.fill("turn this photo into a pencil sketch")
    panel.locator('input[type="file"]').first.set_input_files(str(FACE))
    panel.get_by_role("button", name=re.compile("^Process")).click()
    expect(panel.get_by_text(re.compile("style_transfer")).first).to_be_visible(timeout=MODEL_WAIT_MS)
    result = panel.locator("img").filter(visible=True).last
    _wait_loaded(page, result)
    assert_no_error(page)

    panel.get_by_role("button", name=re.compile("^Compare")).click()  # rules, embedding and the LLM side by side
    expect(panel.get_by_text(re.compile(r"llm: \w+")).first).to_be_visible(timeout=INTENT_COMPARE_WAIT_MS)
    expect(panel.locator('[role="gridcell"]').filter(has_text="style_transfer").first).to_be_visible()
    assert_no_error(page)
    assert not toasts(page, "warning")


def test_personas_and_analytics_refuse_with_a_warning_that_blocks_nothing(page: Page) -> None:
    open_tab(page, "Persona templates")
    panel = _panel(page)
    expect(panel.get_by_text("History", exact=True)).to_be_hidden()  # no empty tables before there is content
    expect(panel.get_by_text("Where each image ran")).to_be_hidden()
    panel.get_by_role("button", name="Write post", exact=True).click()
    expect(page.locator('[data-testid="toast-body"].warning')).to_contain_text("save the profile first")
    assert_no_error(page)
    assert_no_error_covers_a_button(page)

    open_tab(page, "Analytics")
    panel = _panel(page)
    numbers = panel.locator("p").filter(has_text=re.compile(r"^Last \d+ days")).first
    expect(numbers).to_contain_text("model calls", timeout=MODEL_WAIT_MS)
    summary = numbers.inner_text()
    panel.get_by_label("From (YYYY-MM-DD)").fill("yesterday")
    panel.get_by_role("button", name="Refresh", exact=True).click()
    expect(page.locator('[data-testid="toast-body"].warning')).to_contain_text("YYYY-MM-DD")
    assert_no_error(page)
    assert_no_error_covers_a_button(page)
    assert numbers.inner_text() == summary  # the last numbers stay
