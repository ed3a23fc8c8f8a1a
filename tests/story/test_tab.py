"""The Story tab builds on the engine's story service and exposes its four API endpoints."""

from __future__ import annotations

import gradio as gr

from studio import story_tab
from studio.identity import Identities
from tests.story.conftest import StoryFactory


def test_story_tab_builds_with_its_api_names(make_story: StoryFactory) -> None:
    engine, story = make_story()
    engine.story = story  # type: ignore[attr-defined]  # the lead wires this in build_engine
    with gr.Blocks() as demo:
        story_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    names = {fn.api_name for fn in demo.fns.values()}
    assert {"story_start", "story_choose", "story_resume", "story_summary", "feedback_story",
            "feedback_story_picture"} <= names
