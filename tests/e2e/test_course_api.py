"""The onboarding tab through `gradio_client`: refusals come back as a message beside the action (no
error over the outputs), the guided course opens each step with its media and narration, the quiz
gives a score, operator controls are not on the person's page, and "Delete my data" clears every
output and says in words what it removed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from engine.engine import Engine
from engine.settings import Settings
from tests.scenarios.conftest import voice_wav  # noqa: F401 - a real voice sample (a fixture)
from tests.support.studio_app import running_studio

FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"
# What /onboard, /course_step and /delete_user return, in order (layout blocks and state are not returned).
ONBOARD = ["making", "caricature", "caption", "course_id", "status", "deleted"]
STEP = ["notice", "steps", "progress", "title", "text", "narration", "image", "video", "call", "score"]
DELETE = ["deleted", "name", "age", "gender", "photo", "voice", "consent", "making", "caricature", "caption",
          "course_id", "key", "key_notice", "status", *STEP[:-1], "score"]  # fmt: skip


@pytest.fixture
def studio(engine_settings: Settings) -> Iterator[tuple[Engine, str]]:
    with running_studio(engine_settings) as running:
        yield running


def _named(names: list[str], values: Any) -> dict[str, Any]:
    assert len(values) >= len(names)
    return dict(zip(names, values, strict=False))


def _path(value: Any) -> str | None:
    """A file output's path (`download_files=False` keeps them as FileData dicts)."""
    if isinstance(value, dict):
        return value.get("path") or (value.get("video") or {}).get("path")
    return value


def _empty(value: Any) -> bool:
    """Cleared: nothing, an empty text, or an update that carries no value."""
    if isinstance(value, dict) and value.get("__type__") == "update":
        return _empty(value.get("value"))
    return value in (None, "", [], False) or (isinstance(value, dict) and not value.get("data"))


@pytest.mark.slow
def test_the_course_through_the_api(studio: tuple[Engine, str], voice_wav: bytes, tmp_path: Path) -> None:  # noqa: F811
    engine, url = studio
    client = Client(url, verbose=False, download_files=False)
    voice = tmp_path / "voice.wav"
    voice.write_bytes(voice_wav)

    refused = _named(ONBOARD, client.predict("Alex Doe", 34, "female", handle_file(str(FACE)), handle_file(str(voice)),
                                             False, api_name="/onboard"))  # fmt: skip
    assert "Not done" in refused["making"] and "consent" in refused["making"]  # a message beside the button
    assert _path(refused["caricature"]) is None and engine.db.cursor().execute(
        "SELECT count(*) FROM scenario_users").fetchone()[0] == 0  # fmt: skip

    made = client.predict("Alex Doe", 34, "female", handle_file(str(FACE)), handle_file(str(voice)), True,
                          api_name="/onboard")  # fmt: skip
    onboarded, first = _named(ONBOARD, made), _named(STEP, made[len(ONBOARD):])
    person = onboarded["course_id"]
    assert Path(_path(onboarded["caricature"])).is_file() and len(person) >= 22
    assert "of 10" in onboarded["making"]  # the making's progress, next to the button
    assert first["steps"] == 0 and "Step 1 of 10" in first["progress"] and "Alex Doe" in first["text"]
    assert Path(_path(first["narration"])).is_file()

    steps = [s for module in engine.scenarios.course() for s in module.steps]
    for index, step in enumerate(steps):
        shown = _named(STEP, client.predict(person, index, api_name="/course_step"))
        assert f"Step {index + 1} of 10" in shown["progress"] and step.title in shown["title"]
        assert "is ready" in shown["notice"] and Path(_path(shown["narration"])).is_file()
        assert (_path(shown["image"]) is not None) == bool(step.scenario), step.id
        assert (_path(shown["video"]) is not None) == bool(step.scenario), step.id
        if step.dub:  # the scam calls can be played
            call = Path(_path(shown["call"]))
            assert call.read_bytes()[:4] == b"RIFF" and "Listen to the call" in shown["text"]
        else:
            assert _path(shown["call"]) is None

    quiz = _named(STEP, client.predict(person, len(steps), api_name="/course_step"))
    assert "Now the quiz" in quiz["progress"]
    lessons = engine.scenarios.quiz()
    answers = [q.answer for q in lessons[0].quiz] + [(q.answer + 1) % len(q.choices) for q in lessons[1].quiz]
    score, notice = client.predict(person, *answers, api_name="/answer_quiz")
    assert "Your score: 3 of 6" in score and "Seeing is not believing**: 3 of 3" in score and "3 of 6" in notice

    nobody = _named(STEP, client.predict("", 0, api_name="/course_step"))
    assert "Not done" in nobody["notice"] and "make your course first" in nobody["notice"]

    for answer in (client.predict(person, api_name="/cache_stats"), client.predict(api_name="/cleanup_cache")):
        assert "for admins" in answer  # operator controls, on the System tab, for admins only

    key = client.predict(api_name="/my_key")[0]  # another browser session comes back with the key
    elsewhere = Client(url, verbose=False, download_files=False)
    back = elsewhere.predict(key, api_name="/come_back")
    assert back[0] == person and "Welcome back" in back[-1]
    assert "Step 2 of 10 is ready" in elsewhere.predict(person, 1, api_name="/course_step")[0]

    removed = _named(DELETE, client.predict(api_name="/delete_user"))
    words = removed["deleted"]
    assert re.search(r"Removed \d+ files, 1 course, 11 pictures, videos and calls, \d+ narrations?, 6 quiz answers", words)
    for name in DELETE[1:]:
        if name not in ("age", "gender"):
            assert _empty(removed[name]), (name, removed[name])
    gone = _named(STEP, client.predict(person, 1, api_name="/course_step"))
    assert "No onboarded person" in gone["notice"]
