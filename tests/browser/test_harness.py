"""The harness itself: the studio opens in both viewports, and the error helpers see a real error."""

from playwright.sync_api import Page, expect

from tests.browser.seen import assert_no_error, buttons_covered_by_errors, errors_on_screen, open_tab


def test_studio_opens_with_its_tabs_and_no_error(page: Page, narrow_page: Page) -> None:
    for shown in (page, narrow_page):
        expect(shown.get_by_role("heading", name="Studio")).to_be_visible()
        for name in ("Intent lab", "Story", "Persona templates", "Playground", "System", "Analytics"):
            open_tab(shown, name)
            expect(shown.locator('[role="tab"][aria-selected="true"]')).to_have_text(name)
        assert_no_error(shown)


def test_error_helpers_see_an_error_toast(page: Page) -> None:
    page.evaluate("""() => {
        const toast = document.createElement('div');
        toast.dataset.testid = 'toast-body';
        toast.className = 'toast-body error';
        toast.textContent = 'Error: made up';
        toast.style.cssText = 'position: fixed; inset: 0; z-index: 1000; background: white';
        document.body.append(toast);
    }""")
    assert errors_on_screen(page) == ["Error: made up"]
    assert buttons_covered_by_errors(page)
