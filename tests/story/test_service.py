"""The story service on a scripted text model: state, choices, fallbacks, concurrency, images, resume."""

from __future__ import annotations

import threading
import time

import pytest

from engine.engine import build_engine
from engine.errors import InvalidRequest, NotFound
from engine.ownership import OPERATOR
from engine.story import ChapterType, StoryConfig, StoryService
from tests.story import fakes
from tests.story.conftest import FAST, StoryFactory


def _play(story: StoryService, adventure_id: str) -> list:
    return list(story.stream_chapter(adventure_id, owner=OPERATOR))


def test_a_whole_adventure_is_saved_after_every_chapter_and_summarised(make_story: StoryFactory) -> None:
    engine, story = make_story()
    adventure = story.start("harbor-town", "phishing-emails", chapters=4, user_id="u1", owner=OPERATOR)
    assert adventure.plan == [ChapterType.STORY, ChapterType.LESSON, ChapterType.REFLECTION, ChapterType.CONCLUSION]
    for index in range(4):
        events = _play(story, adventure.id)
        assert [e.kind for e in events[:-1]] == ["delta"] * (len(events) - 1) and events[-1].kind == "done"
        assert all(len(a.text) <= len(b.text) for a, b in zip(events[:-2], events[1:-1], strict=False))
        chapter = events[-1].chapter
        saved = story.get(adventure.id, owner=OPERATOR)
        assert len(saved.chapters) == index + 1 and saved.chapters[-1].text == chapter.text
        assert "Assistant" not in chapter.text and "<|" not in chapter.text and "Setting:" not in chapter.text
        if chapter.is_last:
            assert chapter.choices == []
            break
        assert len(chapter.choices) == 3
        picked = chapter.question.answer_index if chapter.question else 0
        story.choose(adventure.id, index, picked, owner=OPERATOR)
    final = story.get(adventure.id, owner=OPERATOR)
    assert final.finished
    lesson = final.chapters[1]
    assert lesson.question is not None and lesson.question.question in lesson.text
    assert lesson.choices == list(lesson.question.options)
    assert final.answers[0].correct is True
    assert final.chapters[2].feedback and final.chapters[2].feedback.startswith("Right!")
    summary = story.summary(adventure.id, owner=OPERATOR)
    assert summary.finished and len(summary.recaps) == 4 and summary.lessons.correct == 1 == summary.lessons.total
    assert len(summary.choices) == 3
    events = {e.event for e in story.events(adventure.id, owner=OPERATOR)}
    assert {"chapter_viewed", "llm_ttft", "llm_total", "time_to_choose"} <= events


def test_a_wrong_answer_is_recorded_and_the_next_chapter_reacts(make_story: StoryFactory) -> None:
    _, story = make_story()
    adventure = story.start("sky-city", "password-hygiene", chapters=3, owner=OPERATOR)
    _play(story, adventure.id)
    story.choose(adventure.id, 0, 0, owner=OPERATOR)
    lesson = _play(story, adventure.id)[-1].chapter
    wrong = next(i for i in range(3) if i != lesson.question.answer_index)
    story.choose(adventure.id, 1, wrong, owner=OPERATOR)
    end = _play(story, adventure.id)[-1].chapter
    saved = story.get(adventure.id, owner=OPERATOR)
    assert saved.answers[0].correct is False and saved.answers[0].chosen == lesson.question.options[wrong]
    assert end.feedback and lesson.question.answer in end.feedback


def test_unusable_choices_are_regenerated_once_then_fall_back(make_story: StoryFactory, fresh_script: fakes.Script) -> None:
    _, story = make_story()
    fresh_script.choices = ["Once upon a time there was a sea.", fakes.GOOD_CHOICES]
    first = story.start("harbor-town", "phishing-emails", chapters=3, owner=OPERATOR)
    chapter = _play(story, first.id)[-1].chapter
    assert chapter.choices_source == "regenerated" and fresh_script.generate_calls == 2
    assert [e.event for e in story.events(first.id, "choices_regenerated", owner=OPERATOR)] == ["choices_regenerated"]

    fresh_script.choices = ["1. 1. 1. 1.", "The end."]
    second = story.start("harbor-town", "phishing-emails", chapters=3, owner=OPERATOR)
    chapter = _play(story, second.id)[-1].chapter
    assert chapter.choices_source == "fallback" and fresh_script.generate_calls == 4  # regenerated once, no more
    assert len(chapter.choices) == 3 and len(set(chapter.choices)) == 3
    assert any("Jonas" in c for c in chapter.choices)  # drawn from the chapter
    assert story.events(second.id, "choices_fallback", owner=OPERATOR)
    assert story.summary(second.id, owner=OPERATOR).fallbacks == 1


def test_bad_input_gets_clear_errors_and_leaves_state_alone(make_story: StoryFactory) -> None:
    _, story = make_story()
    with pytest.raises(NotFound, match="No adventure"):
        story.resume("no-such-adventure", owner=OPERATOR)
    with pytest.raises(NotFound):
        story.stream_chapter("no-such-adventure", owner=OPERATOR)
    with pytest.raises(InvalidRequest, match="world"):
        story.start("atlantis", "phishing-emails", owner=OPERATOR)
    with pytest.raises(InvalidRequest, match="chapters"):
        story.start("harbor-town", "phishing-emails", chapters=99, owner=OPERATOR)
    adventure = story.start("harbor-town", "phishing-emails", chapters=3, owner=OPERATOR)
    with pytest.raises(InvalidRequest, match="chapter_index"):
        story.choose(adventure.id, 0, 0, owner=OPERATOR)  # no chapter yet
    _play(story, adventure.id)
    before = story.get(adventure.id, owner=OPERATOR)
    with pytest.raises(InvalidRequest, match="choice_index"):
        story.choose(adventure.id, 0, 3, owner=OPERATOR)
    with pytest.raises(InvalidRequest, match="chapter_index"):
        story.choose(adventure.id, 5, 0, owner=OPERATOR)
    assert story.get(adventure.id, owner=OPERATOR).version == before.version
    story.choose(adventure.id, 0, 1, owner=OPERATOR)
    with pytest.raises(InvalidRequest, match="already decided"):
        story.choose(adventure.id, 0, 2, owner=OPERATOR)


def test_the_same_choice_twice_at_once_makes_one_chapter(make_story: StoryFactory, fresh_script: fakes.Script) -> None:
    _, story = make_story()
    adventure = story.start("forest-school", "investment-scams", chapters=4, owner=OPERATOR)
    _play(story, adventure.id)
    fresh_script.piece_delay_s = 0.01
    results: list[object] = []
    barrier = threading.Barrier(2)

    def tab() -> None:
        barrier.wait()
        story.choose(adventure.id, 0, 2, owner=OPERATOR)
        results.append(_play(story, adventure.id)[-1].chapter)

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2
    saved = story.get(adventure.id, owner=OPERATOR)
    assert len(saved.chapters) == 2 and saved.chapters[0].choice_made == 2
    assert fresh_script.stream_calls == 2  # chapter 0 and one chapter 1, not two
    assert results[0].text == results[1].text
    assert len(story.events(adventure.id, "duplicate_choice", owner=OPERATOR)) == 1


def test_images_go_through_the_queue_and_never_hold_up_the_text(make_story: StoryFactory) -> None:
    fakes.SlowImages.delay_s = 1.5
    engine, story = make_story(image_provider="slow-fake")
    adventure = story.start("space-station", "online-shopping", chapters=3, owner=OPERATOR)
    started = time.perf_counter()
    chapter = _play(story, adventure.id)[-1].chapter
    text_s = time.perf_counter() - started
    assert text_s < fakes.SlowImages.delay_s
    assert [i.kind for i in chapter.images] == ["choice"] * 3
    assert {i.status for i in story.image_status(adventure.id, owner=OPERATOR)} == {"pending"}
    ready = story.wait_images(adventure.id, 0, timeout=20, owner=OPERATOR)
    assert [i.status for i in ready] == ["ready"] * 3 and not any(i.is_placeholder for i in ready)
    assert all(engine.queue.get(i.job_id).kind == "image.generate" for i in ready)
    story.choose(adventure.id, 0, 0, owner=OPERATOR)
    second = _play(story, adventure.id)[-1].chapter
    [scene] = second.images
    assert scene.kind == "scene" and "Sam" in scene.prompt and "silver jumpsuit" in scene.prompt


def test_placeholder_pictures_are_labelled_and_a_slow_one_times_out(make_story: StoryFactory) -> None:
    _, story = make_story()
    adventure = story.start("harbor-town", "deepfake-voices", chapters=3, owner=OPERATOR)
    _play(story, adventure.id)
    images = story.wait_images(adventure.id, 0, timeout=20, owner=OPERATOR)
    assert images and all(i.is_placeholder and "placeholder" in i.note for i in images)

    fakes.SlowImages.delay_s = 3.0
    _, slow = make_story(StoryConfig(**{**FAST.model_dump(), "image_timeout_s": 0.5}), image_provider="slow-fake")
    other = slow.start("harbor-town", "deepfake-voices", chapters=3, owner=OPERATOR)
    _play(slow, other.id)
    late = slow.wait_images(other.id, timeout=30, owner=OPERATOR)  # until none is pending, however busy the machine
    assert late and {i.status for i in late} <= {"timeout", "failed"}


def test_character_visuals_update_in_the_background_and_feed_later_prompts(make_story: StoryFactory) -> None:
    engine, story = make_story()
    adventure = story.start("harbor-town", "phishing-emails", chapters=3, owner=OPERATOR)
    _play(story, adventure.id)
    [job] = [j for j in engine.queue.list_jobs() if j.kind == "story.characters"]
    engine.queue.wait(job.id, timeout=20)
    assert story.get(adventure.id, owner=OPERATOR).characters["Jonas"] == "an old sailor with a grey beard"
    story.choose(adventure.id, 0, 0, owner=OPERATOR)
    scene = _play(story, adventure.id)[-1].chapter.images[0]
    assert "Jonas: an old sailor with a grey beard" in scene.prompt


def test_an_adventure_resumes_after_the_engine_is_rebuilt(make_story: StoryFactory, engine_settings) -> None:
    engine, story = make_story()
    adventure = story.start("desert-caravan", "phishing-emails", chapters=3, owner=OPERATOR)
    written = _play(story, adventure.id)[-1].chapter
    story.choose(adventure.id, 0, 1, owner=OPERATOR)
    engine.close()
    settings = engine_settings.model_copy(update={"text_provider": "story-fake", "router_threshold": 0.0})
    with build_engine(settings, plugins=["tests.story.fakes"]) as again:
        story2 = again.story.with_config(FAST)
        again.start()
        resumed = story2.resume(adventure.id, owner=OPERATOR)
        assert resumed.chapters[0].text == written.text and resumed.chapters[0].choice_made == 1
        assert [i.status for i in story2.wait_images(adventure.id, 0, timeout=20, owner=OPERATOR)] == ["ready"] * 3
        chapter = _play(story2, adventure.id)[-1].chapter
        assert chapter.index == 1 and chapter.type is ChapterType.LESSON
        assert [e.kind for e in story2.stream_chapter(adventure.id, owner=OPERATOR)] == ["done"]  # a replay, not a new chapter
        assert story2.events(adventure.id, "resumed", owner=OPERATOR)
