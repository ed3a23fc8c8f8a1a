"""Two visitors on one running studio, through `gradio_client`: each sees only their own course,
narration, story, references and jobs; one visitor's rate limit leaves the other alone; after
"Delete my data" no served URL answers and no row or file under the data directory names them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file

from engine.engine import Engine
from engine.settings import Settings
from tests.scenarios.conftest import voice_wav  # noqa: F401 - a real voice sample (a fixture)
from tests.support.studio_app import running_studio
from tests.support.traces import files_mentioning, rows_mentioning

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
FACE = SAMPLES / "face.jpg"
NAME = "Alice Example"
LIMIT = 12  # requests a minute per visitor


@pytest.fixture
def studio(engine_settings: Settings) -> Iterator[tuple[Engine, str]]:
    settings = engine_settings.model_copy(update={"rate_limit_per_minute": f"{LIMIT}/minute",
                                                  "text_provider": "story-fake",  # chapters in milliseconds
                                                  "router_threshold": 0.0})  # ... routed to the fake, not the local LLM
    with running_studio(settings, plugins=["tests.story.fakes"]) as running:
        yield running


def _url(value: Any) -> str | None:
    """The served URL of a file output (`download_files=False` keeps them as FileData dicts)."""
    if isinstance(value, dict):
        if value.get("url"):
            return str(value["url"])
        for key in ("video", "image"):
            if isinstance(value.get(key), dict):
                return _url(value[key])
    return None


def _refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(Exception) as caught:
        call(*args, **kwargs)
    return str(caught.value)


@pytest.mark.slow
def test_two_visitors_are_kept_apart_and_deletion_leaves_nothing(studio: tuple[Engine, str], voice_wav: bytes,  # noqa: F811
                                                                   tmp_path: Path) -> None:  # fmt: skip
    engine, url = studio
    alice, bob = Client(url, verbose=False, download_files=False), Client(url, verbose=False, download_files=False)
    voice = tmp_path / "voice.wav"
    voice.write_bytes(voice_wav)

    onboarded = alice.predict(NAME, 30, "female", handle_file(str(FACE)), handle_file(str(voice)), True,
                              api_name="/onboard")  # fmt: skip
    caricature, person = onboarded[1], onboarded[3]  # see tests/e2e/test_course_api.py for the outputs
    key = alice.predict(api_name="/my_key")[0]
    assert len(person) >= 22 and len(key) == 32 and key != bob.predict(api_name="/my_key")[0]
    served = [_url(caricature)]
    lottery = alice.predict(person, 1, api_name="/course_step")  # the step that shows the lottery scene
    audio, image, video = lottery[5:8]
    served += [_url(image), _url(video), _url(audio)]
    assert all(served), served
    story = alice.predict("harbor-town", "phishing-emails", 3, api_name="/story_start")
    adventure = story[-2]
    assert alice.predict(handle_file(str(FACE)), "@alice_private", api_name="/save_reference").count("@") == 2
    alice.predict("make it brighter", True, "rules", api_name="/classify")

    # Bob: nothing of Alice's can be found, opened, heard, resumed, cancelled or deleted
    for position in (0, 1):  # refused beside the buttons: the course's notice
        message = bob.predict(person, position, api_name="/course_step")[0]
        assert "No onboarded person" in message and person not in message and key not in message
    assert "for admins" in bob.predict(person, api_name="/cache_stats")  # operator controls
    assert "No adventure" in _refused(bob.predict, adventure, api_name="/story_resume")
    jobs = [j.id for j in engine.queue.list_jobs(limit=100)]
    assert jobs and all(person not in j and key not in j for j in jobs)
    for job_id in jobs[:3]:
        assert "No job" in _refused(bob.predict, job_id, api_name="/cancel_job")
    _, _, _, recent, bob_jobs, _ = bob.predict(api_name="/system_status")
    # no one else's jobs or prompts: both tables stay hidden and empty
    assert bob_jobs["visible"] is False and bob_jobs["value"]["data"] == []
    assert recent["visible"] is False and recent["value"]["data"] == []
    assert "@alice_private" not in bob.predict(handle_file(str(FACE)), "@mine", api_name="/save_reference")

    # one visitor's rate limit does not touch the other
    cards = [bob.predict(f"a poster of a fox number {i}", False, "rules", api_name="/classify")[0]
             for i in range(LIMIT + 1)]
    assert "try again in" in cards[-1].lower()  # an inline note; the buttons stay usable
    assert "image_generation" in alice.predict("a poster of a lighthouse", False, "rules", api_name="/classify")[0]

    # Alice deletes everything (the page asks to confirm first: tests/browser), then nothing is left
    report = alice.predict(api_name="/delete_user")[0]
    files, copies = (int(re.search(pattern, report).group(1)) for pattern in (r"(\d+) files", r"(\d+) copies"))
    assert files >= 4 and copies >= 4 and "1 course" in report, report
    for link in served:
        assert httpx.get(link, timeout=10).status_code == 404, link
    engine.generations.flush()
    engine.intent.flush()
    for needle in (person, key, adventure, NAME):
        assert rows_mentioning(engine.db, needle) == {}, needle
    data_dir = engine.settings.data_dir
    assert files_mentioning(data_dir, [person, key, NAME], skip_suffixes=(".duckdb", ".wal")) == []
    uploads = {hashlib.sha256(FACE.read_bytes()).hexdigest(), hashlib.sha256(voice_wav).hexdigest()}
    left = [p for p in (data_dir / "served").rglob("*") if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest()
            in uploads]  # fmt: skip
    assert left == []  # the uploaded photo and voice are gone too
    assert "@mine" in bob.predict(handle_file(str(FACE)), "@mine2", api_name="/save_reference")  # bob's are kept
    assert alice.predict(api_name="/my_key")[0] != key  # a fresh key: the deleted one is never used again
