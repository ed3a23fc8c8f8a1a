"""An adventure is its owner's: another visitor can neither find nor touch it; deleting the owner
removes the adventure with its events, characters, jobs and pictures."""

from __future__ import annotations

import pytest

from engine.errors import NotFound
from engine.ownership import Owner, new_visitor_key
from tests.story.conftest import StoryFactory
from tests.support.traces import rows_mentioning


def test_another_visitor_gets_the_same_not_found_as_for_a_missing_adventure(make_story: StoryFactory) -> None:
    engine, story = make_story()
    alice, bob = Owner(new_visitor_key(), visitor=True), Owner(new_visitor_key(), visitor=True)
    adventure = story.start("harbor-town", "phishing-emails", chapters=3, owner=alice)
    first = list(story.stream_chapter(adventure.id, owner=alice))[-1].chapter
    assert first is not None and first.choices

    calls = {
        "get": lambda a: story.get(a, owner=bob),
        "resume": lambda a: story.resume(a, owner=bob),
        "stream": lambda a: story.stream_chapter(a, owner=bob),
        "choose": lambda a: story.choose(a, 0, 0, owner=bob),
        "summary": lambda a: story.summary(a, owner=bob),
        "images": lambda a: story.image_status(a, owner=bob),
        "events": lambda a: story.events(a, owner=bob),
    }
    for name, call in calls.items():
        with pytest.raises(NotFound) as theirs:
            call(adventure.id)
        with pytest.raises(NotFound) as missing:
            call("f" * 32)
        assert str(theirs.value) == str(missing.value), name
    assert story.list_adventures(owner=bob) == [] and [a[0] for a in story.list_adventures(owner=alice)] == [adventure.id]
    assert story.get(adventure.id, owner=Owner("root", admin=True)).id == adventure.id  # an admin may read
    assert story.get(adventure.id, owner=alice).chapters[0].choice_made is None  # bob's choice never landed

    story.choose(adventure.id, 0, 0, owner=alice)
    # the character job of chapter 0 may still run: the deletion waits for it
    report = engine.deletion.forget(owner=alice)
    assert report.tables["stories"] == 1 and report.tables["story_events"] >= 2
    engine.generations.flush()
    assert rows_mentioning(engine.db, alice.id) == {}
    assert rows_mentioning(engine.db, adventure.id) == {}
    with pytest.raises(NotFound):
        story.get(adventure.id, owner=alice)
    with pytest.raises(NotFound):  # nothing is stored for a deleted visitor again
        story.start("harbor-town", "phishing-emails", chapters=3, owner=alice)
