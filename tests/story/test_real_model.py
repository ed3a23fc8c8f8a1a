"""The story flow on the real embedded model (few, short calls), and the `studio story --auto` contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from engine.ownership import OPERATOR
from engine.story import StoryConfig, auto_choice
from studio.cli_story import register
from tests.story.conftest import StoryFactory

pytestmark = pytest.mark.slow


def test_an_auto_adventure_on_the_embedded_model_ends_with_a_summary(make_story: StoryFactory) -> None:
    _, story = make_story(StoryConfig(chapter_tokens=32, choice_tokens=32, image_size=128), fake_text=False)
    adventure = story.start("harbor-town", "phishing-emails", chapters=3, user_id="real", owner=OPERATOR)
    while True:
        chapter = list(story.stream_chapter(adventure.id, owner=OPERATOR))[-1].chapter
        assert chapter.text.strip() and chapter.ttft_ms is not None and chapter.tokens > 0
        for leak in ("<|", "assistant", "Setting:", "Hero:"):
            assert leak not in chapter.text
        if chapter.is_last:
            break
        assert len(chapter.choices) == 3 and all(c.strip() for c in chapter.choices)
        story.choose(adventure.id, chapter.index, auto_choice(chapter), owner=OPERATOR)
    summary = story.summary(adventure.id, owner=OPERATOR)
    assert summary.finished and len(summary.recaps) == 3 and summary.lessons.total == 1


def test_story_auto_cli_prints_one_json_line_per_chapter_then_the_summary(
    data_dir: Path, shared_model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("STUDIO_MODEL_CACHE_DIR", str(shared_model_cache))
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group, as the real `studio` app is
    register(app)
    result = CliRunner().invoke(
        app, ["story", "--world", "sky-city", "--topic", "investment-scams", "--chapters", "3", "--auto",
              "--max-tokens", "24", "--image-wait", "3"],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    chapters, summary = lines[:-1], lines[-1]
    assert [c["index"] for c in chapters] == [0, 1, 2]
    assert [c["type"] for c in chapters] == ["story", "lesson", "conclusion"]
    for chapter in chapters:
        assert {"tokens", "ttft_ms", "total_ms", "choices", "images"} <= set(chapter)
    assert [len(c["choices"]) for c in chapters] == [3, 3, 0]
    assert len(chapters[0]["images"]) == 3
    assert summary["summary"]["finished"] is True and summary["summary"]["lessons"]["total"] == 1

    bad = CliRunner().invoke(app, ["story", "--world", "atlantis", "--auto"])
    assert bad.exit_code == 2 and "unknown world" in bad.output
