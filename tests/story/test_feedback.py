"""Story chapters go through the hybrid router, and every chapter and picture can be rated by its
owner alone: the ids on the result objects are real generations records of that owner."""

from __future__ import annotations

import time
from datetime import date

import pytest

from engine.errors import NotFound
from engine.ownership import OPERATOR, Owner, new_visitor_key
from engine.story import CHAPTER_KIND, PICTURE_KIND, StoryService
from tests.story.conftest import StoryFactory


def _visitors() -> tuple[Owner, Owner]:
    return Owner(new_visitor_key(), visitor=True), Owner(new_visitor_key(), visitor=True)


def _pictures_recorded(story: StoryService, adventure_id: str, owner: Owner) -> None:
    """Wait until the picture watcher has written its telemetry, so that closing the engine races nothing."""
    deadline = time.monotonic() + 20
    while len(story.events(adventure_id, "image", owner=owner)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)


def _generation(engine, generation_id: str) -> tuple:
    engine.generations.flush()
    return engine.db.cursor().execute(
        "SELECT owner, kind, capability, provider, outcome FROM generations WHERE id = ?", [generation_id]
    ).fetchone()


def test_a_chapter_is_routed_with_reasons_and_rated_by_its_owner_only(make_story: StoryFactory) -> None:
    engine, story = make_story(router_local_fallback=False)
    alice, bob = _visitors()
    adventure = story.start("harbor-town", "phishing-emails", chapters=3, owner=alice)
    chapter = list(story.stream_chapter(adventure.id, owner=alice))[-1].chapter
    assert chapter is not None and chapter.generation_id and chapter.routed_to == "story-fake"
    assert _generation(engine, chapter.generation_id) == (alice.id, CHAPTER_KIND, "text", "story-fake", "ok")

    [decision] = [d for d in engine.analytics.decisions(50, owner=Owner("root", admin=True))
                  if d.generation_id == chapter.generation_id]
    assert (decision.kind, decision.owner, decision.chosen, decision.tier) == (CHAPTER_KIND, alice.id, "story-fake",
                                                                               "strong")
    assert any("≥ 0.00" in reason for reason in decision.reasons)  # threshold 0: why it went to the strong model

    saved = engine.analytics.feedback(chapter.generation_id, 4, "a good start", owner=alice)
    assert (saved.generation_id, saved.rating, saved.comment) == (chapter.generation_id, 4, "a good start")
    with pytest.raises(NotFound):
        engine.analytics.feedback(chapter.generation_id, 1, "not mine", owner=bob)
    rows = engine.db.cursor().execute(
        "SELECT owner, rating FROM feedback WHERE generation_id = ?", [chapter.generation_id]
    ).fetchall()
    assert rows == [(alice.id, 4)]
    # the id is part of the saved chapter: a resumed adventure can still be rated
    assert story.resume(adventure.id, owner=alice).chapters[0].generation_id == chapter.generation_id
    _pictures_recorded(story, adventure.id, alice)


def test_each_picture_of_a_batch_has_its_own_generation_to_rate(make_story: StoryFactory) -> None:
    engine, story = make_story()
    alice, bob = _visitors()
    adventure = story.start("harbor-town", "phishing-emails", chapters=3, owner=alice)
    list(story.stream_chapter(adventure.id, owner=alice))
    pictures = story.wait_images(adventure.id, 0, timeout=20, owner=alice)
    assert [p.status for p in pictures] == ["ready"] * 3
    ids = [p.generation_id for p in pictures]
    assert all(ids) and len(set(ids)) == 3
    for generation_id in ids:
        owner, kind, capability, _provider, outcome = _generation(engine, generation_id)
        assert (owner, kind, capability) == (alice.id, PICTURE_KIND, "image") and outcome in ("ok", "placeholder")

    engine.analytics.feedback(ids[1], 2, "the wrong harbour", owner=alice)
    for generation_id in ids:
        with pytest.raises(NotFound):
            engine.analytics.feedback(generation_id, 5, owner=bob)
    rated = engine.db.cursor().execute("SELECT generation_id, owner, rating FROM feedback").fetchall()
    assert rated == [(ids[1], alice.id, 2)]
    # the dashboards show the pictures (their calls and their rating) as story pictures, not as bare 'image'
    charts = engine.analytics.dashboard(date.today(), date.today(), owner=OPERATOR)
    ratings = charts["ratings"].set_index("workflow")
    assert ratings.loc[PICTURE_KIND, "mean_rating"] == 2 and "image" not in ratings.index
    assert PICTURE_KIND in set(charts["requests"]["workflow"]) and "image" not in set(charts["requests"]["workflow"])
    _pictures_recorded(story, adventure.id, alice)
