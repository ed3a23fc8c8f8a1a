"""The Persona templates tab's batch in the browser: no empty band under the gallery at 1400 px, a selected
batch image proposed as the base image, and tables whose words stay whole on a 390 px phone."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.seen import assert_no_error, open_tab

BATCH_WAIT_MS = 120_000

# Words of the visible table cells that the layout broke over two lines ("comple|ted").
_SPLIT_WORDS = """
(root) => {
  const split = [];
  for (const cell of root.querySelectorAll('th, [role="gridcell"]')) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}
"""


def _panel(page: Page) -> Locator:
    return page.get_by_role("tabpanel").filter(visible=True).first


def _cell(panel: Locator, text: str) -> Locator:
    return panel.locator('[role="gridcell"]').filter(has_text=text).first


def _persona_with_a_batch(page: Page, name: str) -> Locator:
    open_tab(page, "Persona templates")
    panel = _panel(page)
    panel.get_by_label("Name", exact=True).fill(name)
    panel.get_by_label("Personality traits").fill("geeky, kind")
    panel.get_by_label("Themes").fill("robotics, chess")
    panel.get_by_role("button", name="Save profile").click()
    expect(panel.get_by_text(re.compile(r"style tech"))).to_be_visible(timeout=60_000)
    panel.get_by_role("button", name="Generate batch").click()
    expect(_cell(panel, "labelled stand-in")).to_be_visible(timeout=BATCH_WAIT_MS)
    expect(panel.locator(".persona-gallery .gallery-item img")).to_have_count(4)
    return panel


def _use_batch_image(page: Page, panel: Locator, index: int) -> str:
    """Select the gallery's image `index`, press Use as base image; returns its id."""
    panel.locator(".persona-gallery .gallery-item button").nth(index).click()
    page.keyboard.press("Escape")  # the selection opened the preview
    chosen = panel.get_by_placeholder("select an image above")
    expect(chosen).to_have_value(re.compile(rf"^[0-9a-f]{{12}}-{index}$"))
    image_id = chosen.input_value()
    panel.get_by_role("button", name="Use as base image").click()
    expect(_cell(panel, f"picked batch image {image_id}")).to_be_visible(timeout=60_000)
    expect(panel.get_by_text(re.compile(r"base image draft"))).to_be_visible()
    return image_id


def test_the_batch_gallery_leaves_no_empty_band_and_its_image_becomes_the_base_image(page: Page) -> None:
    panel = _persona_with_a_batch(page, "Ada")
    band = page.evaluate("""() => {
        const wrap = document.querySelector('.persona-gallery .grid-wrap').getBoundingClientRect();
        const items = [...document.querySelectorAll('.persona-gallery .gallery-item')];
        return wrap.bottom - Math.max(...items.map(i => i.getBoundingClientRect().bottom));
    }""")
    assert 0 <= band <= 24, f"{band:.0f} px empty under the batch gallery's last row"
    expect(panel.locator("th").filter(has_text="image id")).to_be_visible()  # wide screens show the ids
    image_id = _use_batch_image(page, panel, 2)
    expect(_cell(panel, image_id)).to_be_visible()  # the id is the batch table's too
    panel.get_by_role("button", name="Generate batch").click()  # a new batch: the old pick goes
    expect(panel.locator('.persona-batch [role="gridcell"]').filter(has_text=image_id)).to_have_count(0,
                                                                                           timeout=BATCH_WAIT_MS)
    expect(panel.get_by_placeholder("select an image above")).to_have_value("")
    expect(panel.get_by_text("Select a batch image to pick it as the base image.")).to_be_visible()
    assert_no_error(page)


def test_the_persona_tables_keep_their_words_whole_on_a_phone(narrow_page: Page) -> None:
    page = narrow_page
    panel = _persona_with_a_batch(page, "Bo")
    _use_batch_image(page, panel, 1)
    for table in (panel.locator(".persona-history"), panel.locator(".persona-batch")):
        wrap = table.locator(".table-wrap")
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table scrolls sideways"
        assert table.evaluate(_SPLIT_WORDS) == []
    # the history's "from" (the row above's "to") and the batch's image ids stay for wide screens
    expect(panel.locator(".persona-history th").filter(has_text=re.compile(r"^from$"))).to_be_hidden()
    expect(panel.locator(".persona-batch th").filter(has_text="image id")).to_be_hidden()
    expect(_cell(panel, "pending_upload")).to_be_visible()
    expect(_cell(panel, "completed")).to_be_visible()
    assert_no_error(page)
