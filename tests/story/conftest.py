"""Story fixtures: an engine with the story service on the fake text model (fast), or the real one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from engine.engine import Engine, build_engine
from engine.settings import Settings
from engine.story import StoryConfig, StoryService
from tests.story import fakes

FAST = StoryConfig(chapter_tokens=24, choice_tokens=24, image_size=128, image_timeout_s=20)


@pytest.fixture(autouse=True)
def fresh_script() -> Iterator[fakes.Script]:
    fakes.SCRIPT.__init__()  # type: ignore[misc]
    yield fakes.SCRIPT


StoryFactory = Callable[..., tuple[Engine, StoryService]]


@pytest.fixture
def make_story(engine_settings: Settings) -> Iterator[StoryFactory]:
    """Build (engine, story) on the fake text model by default; every engine is closed afterwards."""
    engines: list[Engine] = []

    def make(config: StoryConfig = FAST, fake_text: bool = True, **overrides: object) -> tuple[Engine, StoryService]:
        # The router sends easy prompts to the bundled local model; threshold 0 sends every chapter to the
        # configured fake (the "strong" model here), so the fast scripted text is what a story test reads.
        updates: dict[str, object] = {"text_provider": "story-fake", "router_threshold": 0.0} if fake_text else {}
        updates.update(overrides)
        settings = engine_settings.model_copy(update=updates)
        engine = build_engine(settings, plugins=["tests.story.fakes"])
        engines.append(engine)
        story = engine.story.with_config(config)
        engine.start()
        return engine, story

    yield make
    for engine in engines:
        engine.close()
