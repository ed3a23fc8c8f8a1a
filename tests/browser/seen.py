"""What a person sees on the page: error toasts and overlays, buttons they cover, media that loaded."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

__all__ = [
    "assert_no_error",
    "assert_no_error_covers_a_button",
    "buttons_covered_by_errors",
    "errors_on_screen",
    "media_loaded",
    "open_tab",
    "status_lines_seen",
    "toasts",
    "watch_status_lines",
]

# A toast of type error, and the red "Error" a status tracker lays over an event's outputs.
ERROR_SELECTOR = '[data-testid="toast-body"].error, [data-testid="status-tracker"]:has(> span.error)'

_COVERED_BUTTONS = """
(selector) => {
  const errors = [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length);
  const covered = [];
  for (const button of document.querySelectorAll('button')) {
    const box = button.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(button).visibility === 'hidden') continue;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const top = document.elementFromPoint(x, y);
    if (top && !button.contains(top) && errors.some(e => e.contains(top)))
      covered.push((button.innerText || button.getAttribute('aria-label') || '?').trim());
  }
  return covered;
}
"""


def errors_on_screen(page: Page) -> list[str]:
    """The text of every visible error toast and error overlay."""
    found = page.locator(ERROR_SELECTOR)
    return [found.nth(i).inner_text().strip() for i in range(found.count()) if found.nth(i).is_visible()]


def buttons_covered_by_errors(page: Page) -> list[str]:
    """Visible buttons whose centre lies under an error toast or overlay (checked in the current scroll)."""
    return page.evaluate(_COVERED_BUTTONS, ERROR_SELECTOR)


def assert_no_error_covers_a_button(page: Page) -> None:
    covered = buttons_covered_by_errors(page)
    assert not covered, f"an error covers the button(s) {covered}: {errors_on_screen(page)}"


def assert_no_error(page: Page) -> None:
    shown = errors_on_screen(page)
    assert not shown, f"errors on screen: {shown}"


def media_loaded(element: Locator) -> bool:
    """An <img> with pixels, or an <audio>/<video> whose data has loaded enough to play."""
    return element.evaluate(
        "e => e.tagName === 'IMG' ? e.complete && e.naturalWidth > 0"
        " : (e.readyState >= 1 && (e.duration > 0 || e.videoWidth > 0))"
    )


def open_tab(page: Page, name: str) -> None:
    """Click a tab, through the "…" overflow menu where a narrow screen folds the tabs away."""
    tab = page.get_by_role("tab", name=name, exact=True)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(".overflow-menu > button").first.click()
    page.locator(".overflow-dropdown button").filter(has_text=name).first.click()
    page.get_by_role("tabpanel").filter(visible=True).first.wait_for()


def watch_status_lines(page: Page) -> None:
    """Start recording every text an action's status line shows (stage names come and go quickly)."""
    page.evaluate("""() => {
        window.__statusSeen = new Set();
        const note = () => document.querySelectorAll('.action-status').forEach(e => {
            const text = e.innerText.trim();
            if (text) window.__statusSeen.add(text);
        });
        new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")


def status_lines_seen(page: Page) -> list[str]:
    return page.evaluate("() => [...(window.__statusSeen || [])]")


def toasts(page: Page, kind: str) -> list[str]:
    """The text of the visible toasts of one kind: error, warning, info or success."""
    found = page.locator(f'[data-testid="toast-body"].{kind}')
    return [found.nth(i).inner_text().strip() for i in range(found.count()) if found.nth(i).is_visible()]
