"""Story in the browser: a three-chapter adventure with a lesson answer, to "The end" and its summary."""

import re

from playwright.sync_api import Page, expect

from tests.browser.seen import (
    assert_no_error,
    assert_no_error_covers_a_button,
    open_tab,
    status_lines_seen,
    watch_status_lines,
)

CHAPTER_WAIT_MS = 600_000  # the embedded model writes a chapter; a busy shared CPU is slow


def _panel(page: Page):
    return page.get_by_role("tabpanel").filter(visible=True).first


def _choices(story):
    """The chapter's options (or lesson answers): radios outside the rating rows."""
    return story.locator("input[type='radio']:not(.studio-feedback *)").filter(visible=True)


def test_a_three_chapter_story_with_a_lesson_answer_ends_cleanly(page: Page) -> None:
    open_tab(page, "Story")
    story = _panel(page)
    chapters = story.get_by_label("number input for Chapters")
    chapters.fill("3")
    chapters.press("Enter")
    expect(story.get_by_role("button", name="Choose", exact=True)).to_be_hidden()  # nothing to choose yet
    watch_status_lines(page)
    story.get_by_role("button", name="Start adventure").click()

    answered_a_lesson = False
    for number in (1, 2, 3):
        expect(story.get_by_text(re.compile(rf"Chapter {number} of 3 ·"))).to_be_visible(timeout=CHAPTER_WAIT_MS)
        assert_no_error(page)
        assert_no_error_covers_a_button(page)
        if number == 1:  # the stage was named beside the button while the chapter was written
            assert "Writing chapter 1 of 3…" in status_lines_seen(page)
            expect(story.locator("#story-gallery .gallery-item img").first).to_be_visible(timeout=CHAPTER_WAIT_MS)
            gap = page.evaluate("""() => { const g = document.querySelector('#story-gallery');
                const items = [...g.querySelectorAll('.gallery-item')].map(e => e.getBoundingClientRect().bottom);
                return g.getBoundingClientRect().bottom - Math.max(...items); }""")
            assert gap < 40, f"{gap:.0f} px empty under the pictures"  # the gallery is as tall as they are
        if number == 3:
            break
        options = _choices(story)
        expect(options.first).to_be_visible()
        labels = [options.nth(i).evaluate("e => e.closest('label').innerText") for i in range(options.count())]
        assert len(labels) >= 2 and all(len(text.split()) >= 3 for text in labels), labels
        answered_a_lesson |= story.get_by_text("Your answer", exact=True).is_visible()
        options.first.check()
        story.get_by_role("button", name="Choose", exact=True).click()

    expect(story.get_by_text("The end.")).to_be_visible()
    expect(story.get_by_role("button", name="Choose", exact=True)).to_be_hidden()
    expect(_choices(story)).to_have_count(0)
    assert answered_a_lesson, "no chapter asked a lesson question"

    story.get_by_role("button", name="Summary", exact=True).click()
    expect(story.get_by_text(re.compile(r"Lesson score: \d/\d"))).to_be_visible()
    expect(story.get_by_text(re.compile("^(Right|Not quite):")).first).to_be_visible()
    summary_text = story.locator(".prose").all_inner_texts()

    # a new adventure: the old summary and the ending do not stay under it
    story.get_by_role("button", name="Start adventure").click()
    expect(story.get_by_text(re.compile(r"Chapter 1 of 3 ·"))).to_be_visible(timeout=CHAPTER_WAIT_MS)
    expect(story.get_by_text("The end.")).to_be_hidden()
    assert story.locator(".prose").all_inner_texts() != summary_text
    assert_no_error(page)

    # a refusal: a warning toast; the chapter stays readable and every button usable
    story.get_by_label("Adventure id").fill("not-an-adventure")
    story.get_by_role("button", name="Resume", exact=True).click()
    expect(page.locator('[data-testid="toast-body"].warning')).to_contain_text("adventure")
    assert_no_error(page)
    assert_no_error_covers_a_button(page)
    expect(story.get_by_text(re.compile(r"Chapter 1 of 3 ·"))).to_be_visible()
    expect(story.get_by_role("button", name="Choose", exact=True)).to_be_enabled()


def _send_beside_comment(page: Page) -> None:
    """Each rating row of the Story tab has its Send button on the line of its comment box, not under it."""
    open_tab(page, "Story")
    panel = _panel(page)
    comments = panel.get_by_label("Comment (optional)").filter(visible=True)
    sends = panel.get_by_role("button", name="Send feedback").filter(visible=True)
    expect(sends).to_have_count(2)  # the chapter's and the selected picture's
    expect(comments).to_have_count(2)
    for i in range(2):
        comment, send = comments.nth(i).bounding_box(), sends.nth(i).bounding_box()
        assert comment and send, f"rating row {i} has no comment box or no button on screen"
        middle = send["y"] + send["height"] / 2
        assert comment["y"] - 40 <= middle <= comment["y"] + comment["height"] + 8, (i, comment, send)  # one line
        assert send["x"] >= comment["x"] + comment["width"] - 1, (i, comment, send)  # to its right


def test_the_send_button_stays_beside_its_comment_on_a_wide_and_a_narrow_screen(page: Page, narrow_page: Page) -> None:
    _send_beside_comment(page)
    _send_beside_comment(narrow_page)


def _resume_and_summary_on_one_line(page: Page) -> None:
    open_tab(page, "Story")
    panel = _panel(page)
    resume = panel.get_by_role("button", name="Resume", exact=True).bounding_box()
    summary = panel.get_by_role("button", name="Summary", exact=True).bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert resume and summary and abs(resume["y"] - summary["y"]) < 4, (resume, summary)  # side by side
    assert summary["x"] + summary["width"] <= width, (summary, width)


def test_resume_and_summary_sit_side_by_side_on_a_wide_and_a_narrow_screen(page: Page, narrow_page: Page) -> None:
    _resume_and_summary_on_one_line(page)
    _resume_and_summary_on_one_line(narrow_page)
