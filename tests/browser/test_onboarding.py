"""Onboarding as a person meets it, in Chromium: a refusal beside the button (no error overlay), then a
photo and a voice through the whole guided course with Back and Next (each step's scene, talking
photo or scam call loaded with its narration), the quiz and its score, and "Delete my data" with a
confirmation that clears the page and says what went. At 390 px the media fit and no label covers them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine.engine import Engine
from tests.browser.seen import assert_no_error, assert_no_error_covers_a_button, media_loaded
from tests.scenarios.conftest import voice_wav  # noqa: F401 - a real voice sample (a fixture)

FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"
SLOW = 120_000  # ms: a step made on the spot on a busy CPU


@pytest.fixture
def voice_file(voice_wav: bytes, tmp_path: Path) -> Iterator[Path]:  # noqa: F811
    path = tmp_path / "voice.wav"
    path.write_bytes(voice_wav)
    yield path


def _fill_form(page: Page, voice: Path, *, consent: bool) -> None:
    page.get_by_label("Name").first.fill("Alex Doe")
    page.locator("#onboard-photo input[type=file]").set_input_files(str(FACE))
    page.locator("#onboard-voice input[type=file]").set_input_files(str(voice))
    expect(page.locator("#onboard-photo img")).to_be_visible()
    expect(page.locator("#onboard-voice")).not_to_contain_text("Drop Audio Here")
    if consent:
        page.locator("#onboard-consent input").check()


def _loaded(page: Page, selector: str) -> None:
    """An image or video with its data loaded; for Gradio's audio player (its <audio> has no src: the
    waveform fetches the file), the file it plays answers with a WAV."""
    if selector.endswith(" audio"):
        link = page.locator(selector.removesuffix(" audio") + ' [data-testid="download-link"]')
        link.wait_for(state="attached", timeout=SLOW)
        answer = page.request.get(link.get_attribute("href") or "")
        assert answer.ok and answer.body()[:4] == b"RIFF", selector
        return
    page.wait_for_function("s => { const e = document.querySelector(s); return e && (e.tagName === 'IMG' ? "
                           "e.complete && e.naturalWidth > 0 : e.readyState >= 1); }", arg=selector, timeout=SLOW)  # fmt: skip
    assert media_loaded(page.locator(selector).first), selector


def _onboard(page: Page, voice: Path) -> None:
    _fill_form(page, voice, consent=True)
    page.locator("#onboard-submit").click()
    expect(page.locator("#course-notice")).to_contain_text("Step 1 of 10 is ready", timeout=SLOW)


def test_a_person_goes_through_the_whole_course(page: Page, studio: tuple[Engine, str], voice_file: Path) -> None:
    engine, _ = studio
    _fill_form(page, voice_file, consent=False)
    page.locator("#onboard-submit").click()
    expect(page.locator("#onboard-progress")).to_contain_text("consent", timeout=SLOW)  # said beside the button
    expect(page.locator("#onboard-submit")).to_be_enabled()
    page.wait_for_timeout(1500)  # the events chained after the refusal have run
    expect(page.locator("#onboard-progress")).to_contain_text("consent")  # still there, not blanked
    assert_no_error(page)

    page.locator("#onboard-consent input").check()
    page.locator("#onboard-submit").click()
    expect(page.locator("#course-notice")).to_contain_text("Step 1 of 10 is ready", timeout=SLOW)
    expect(page.locator("#onboard-progress")).to_contain_text("of 10")  # the making's progress, by name
    _loaded(page, "#onboard-caricature img")
    _loaded(page, "#course-narration audio")
    expect(page.locator("#course-back button, button#course-back").first).to_be_disabled()

    steps = [s for module in engine.scenarios.course() for s in module.steps]
    for number, step in enumerate(steps[1:], start=2):
        page.locator("#course-next").click()
        expect(page.locator("#course-notice")).to_contain_text(f"Step {number} of 10 is ready", timeout=SLOW)
        expect(page.locator("#course-progress")).to_contain_text(f"Step {number} of 10")
        expect(page.locator("#course-step-title")).to_contain_text(step.title)
        _loaded(page, "#course-narration audio")
        if step.scenario:
            _loaded(page, "#course-image img")
            _loaded(page, "#course-video video")
        else:
            expect(page.locator("#course-image")).to_be_hidden()
        if step.dub:  # the scam call can be played
            _loaded(page, "#course-call audio")
        else:
            expect(page.locator("#course-call")).to_be_hidden()
        if number == 3:  # Back returns to the step before, with its own scene
            page.locator("#course-back").click()
            expect(page.locator("#course-notice")).to_contain_text("Step 2 of 10 is ready", timeout=SLOW)
            expect(page.locator("#course-step-title")).to_contain_text(steps[1].title)
            _loaded(page, "#course-image img")
            page.locator("#course-next").click()
            expect(page.locator("#course-notice")).to_contain_text("Step 3 of 10 is ready", timeout=SLOW)
        assert_no_error_covers_a_button(page)

    expect(page.locator("#course-next")).to_have_text("Take the quiz")
    page.locator("#course-next").click()
    expect(page.locator("#course-quiz")).to_be_visible()
    expect(page.locator("#course-progress")).to_contain_text("Now the quiz")
    questions = page.locator(".course-question")
    lessons = engine.scenarios.quiz()
    picks = [q.choices[q.answer] for q in lessons[0].quiz] + [q.choices[(q.answer + 1) % len(q.choices)]
                                                             for q in lessons[1].quiz]  # fmt: skip
    for index, pick in enumerate(picks):
        questions.nth(index).locator("label").filter(has_text=pick).first.click()
    page.locator("#course-check").click()
    expect(page.locator("#course-score")).to_contain_text("Your score: 3 of 6", timeout=SLOW)
    expect(page.locator("#course-score")).to_contain_text("Seeing is not believing: 3 of 3")

    page.locator("#delete-ask").click()
    expect(page.locator("#delete-confirm")).to_be_visible()
    expect(page.locator("#onboard-caricature img")).to_be_visible()  # nothing is gone before the second click
    page.locator("#delete-confirm-yes").click()
    result = page.locator("#delete-result")
    expect(result).to_contain_text("Removed", timeout=SLOW)
    expect(result).to_contain_text("1 course")
    expect(result).to_contain_text("6 quiz answers")
    for gone in ("#course", "#onboard-caricature", "#onboard-status", "#delete-confirm"):
        expect(page.locator(gone)).to_be_hidden()
    expect(page.locator("#onboard-photo img")).to_have_count(0)  # the photo left the form too
    assert_no_error(page)


def test_on_a_phone_the_media_fit_and_no_label_covers_them(narrow_page: Page, voice_file: Path) -> None:
    page = narrow_page
    _onboard(page, voice_file)
    page.locator("#course-next").click()  # step 2 shows a scene and its talking photo
    expect(page.locator("#course-notice")).to_contain_text("Step 2 of 10 is ready", timeout=SLOW)
    for selector in ("#onboard-caricature", "#course-image", "#course-video"):
        page.locator(selector).scroll_into_view_if_needed()
        block = page.locator(selector)
        box = block.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, (selector, box)
    for selector in ("#onboard-caricature img", "#course-image img"):  # nothing lies over a picture's corners
        page.locator(selector).scroll_into_view_if_needed()
        covered = page.evaluate("""s => { const img = document.querySelector(s); const r = img.getBoundingClientRect();
            return [[r.left + 12, r.top + 12], [r.right - 12, r.top + 12], [r.left + 12, r.bottom - 12]]
              .map(([x, y]) => document.elementFromPoint(x, y)).filter(e => e !== img).map(e => e.outerHTML.slice(0, 80)); }""",
                                selector)  # fmt: skip
        assert covered == [], (selector, covered)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    assert_no_error(page)
