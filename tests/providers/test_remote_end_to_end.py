"""With keys set, whole flows run on remote models: the real `replicate` and `openai` SDKs
pointed at local HTTP stand-ins, through the engine as the app builds it.

(a) the guided onboarding course: all 10 scenario assets on Replicate (face swap, talking
    head, speech in the cloned voice), each saying which provider made it;
(b) a story: OpenAI text (streamed chapters, choices) and Replicate (flux) pictures;
(c) an Intent-lab process on Replicate, its estimated and actual cost and time recorded;
(d) without keys nothing reaches a remote model: the embedded default makes everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.engine import Engine, build_engine
from engine.intent import RunStatus
from engine.ownership import OPERATOR, Owner
from engine.providers.catalogue_prices import catalogue_prices
from engine.scenarios import OnboardRequest
from engine.settings import Settings
from engine.story import StoryConfig
from tests.providers.replicate_fixtures import replicate_settings
from tests.support.media_samples import mp4_bytes, png_bytes, wav_bytes
from tests.support.openai_standin import OpenAIStandIn, Scripted, chat_completion
from tests.support.replicate_standin import Plan, ReplicateStandIn

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
CHAPTER = "Mira walked down to the harbour, where a letter with a strange link waited on the quay. She read it twice. "
CHOICES = "1. Check who really sent the letter\n2. Ask the harbour master about it\n3. Throw the letter away"
STORY = StoryConfig(chapter_tokens=60, choice_tokens=40, image_size=128, image_timeout_s=60)


@pytest.fixture
def openai_standin() -> OpenAIStandIn:
    """An OpenAI server that streams a chapter when asked to stream and lists three choices otherwise."""
    server = OpenAIStandIn()
    server.answer = lambda received: (
        Scripted(stream=[piece + " " for piece in CHAPTER.split()]) if received["body"].get("stream")
        else Scripted(body=chat_completion(CHOICES))
    )  # fmt: skip
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


def _plan_scenario_models(standin: ReplicateStandIn) -> None:
    standin.plans["cdingram/face-swap"] = Plan(output=standin.serve_output("s.png", png_bytes(384, 512), "image/png"))
    standin.plans["cjwbw/sadtalker"] = Plan(output=standin.serve_output("t.mp4", mp4_bytes(1.0, 10, 128, 96), "video/mp4"))
    standin.plans["minimax/voice-cloning"] = Plan(output={"voice_id": "r8_voice_alex"})
    standin.plans["minimax/speech-02-turbo"] = Plan(output=standin.serve_output("v.wav", wav_bytes(1.0, 32000), "audio/wav"))


def _onboard(engine: Engine, face_jpeg: bytes, voice_wav: bytes) -> tuple[str, dict[str, dict[str, Any]]]:
    """Onboard a person and wait for the 10 scenario assets; their id and each asset's provenance record."""
    engine.start()
    service = engine.scenarios
    request = OnboardRequest(name="Alex Doe", age=34, gender="female", photo=face_jpeg, voice=voice_wav, consent=True)
    person = service.onboard(request, owner=OPERATOR)
    statuses = service.wait(person.user_id, timeout=240, owner=OPERATOR)
    assert [s.status for s in statuses] == ["completed"] * 10, [(s.name, s.error) for s in statuses]
    return person.user_id, {s.name: service.provenance(person.user_id, s.name, owner=OPERATOR) for s in statuses}


def test_the_whole_onboarding_course_runs_on_replicate(
    standin: ReplicateStandIn, data_dir: Path, engine_settings: Settings, face_jpeg: bytes, voice_wav: bytes
) -> None:
    _plan_scenario_models(standin)
    settings = replicate_settings(data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir,
                                  cpu_workers=2, fallback_providers="")  # fmt: skip
    with build_engine(settings) as engine:
        user_id, records = _onboard(engine, face_jpeg, voice_wav)
        total = engine.scenarios.course_step(user_id, 0, owner=OPERATOR).total
        steps = [engine.scenarios.course_step(user_id, i, owner=OPERATOR) for i in range(total)]
        spoken = standin.created("minimax/speech-02-turbo")
        generations = engine.generations.recent(200)

    made_by = {name: (record["made_by"], record["provider"]) for name, record in records.items()}
    expected = {"image": "cdingram/face-swap", "video": "cjwbw/sadtalker", "dub": "minimax/speech-02-turbo"}
    for name, record in records.items():
        assert made_by[name] == (f"{expected[record['kind']]} on replicate", "replicate"), (name, made_by[name])
        assert "fallback_reason" not in record
    assert sum(1 for r in records.values() if r["kind"] == "dub") == 2
    dub = next(r for r in records.values() if r["kind"] == "dub")
    assert dub["speech_by"] == "minimax/speech-02-turbo on replicate"
    assert any("minimax/speech-02-turbo on replicate" in step for step in dub["steps"])
    video = next(r for r in records.values() if r["kind"] == "video")
    assert video["speech_by"] == "minimax/speech-02-turbo on replicate"
    # the person's cloned voice speaks every script; the narrator's disclosure keeps the model's default voice
    voices = [prediction.input["voice_id"] for prediction in spoken]
    assert voices.count("r8_voice_alex") == 4 + 2 and "Wise_Woman" in voices
    # the whole course shows what was made ahead, none of it made on the spot
    assert sum(1 for step in steps if step.image_path) >= 4 and sum(1 for step in steps if step.call_path) == 2
    assert not any(step.realtime for step in steps)
    replicate_calls = [g for g in generations if g.provider == "replicate" and g.outcome == "ok"]
    assert {g.capability for g in replicate_calls} == {"face_swap", "talking_head", "speech", "voice_clone"}
    assert all(g.estimated_cost_usd is not None and g.remote_seconds == 1.5 for g in replicate_calls)
    assert not [g for g in generations if g.outcome == "error"]


def test_a_story_with_openai_text_and_replicate_pictures(
    standin: ReplicateStandIn, openai_standin: OpenAIStandIn, data_dir: Path, engine_settings: Settings
) -> None:
    standin.plans["black-forest-labs/flux-schnell"] = Plan(
        output=[standin.serve_output("f.png", png_bytes(128, 128, (30, 90, 160)), "image/png")]
    )
    settings = replicate_settings(
        data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir, fallback_providers="",
        text_provider="openai", openai_api_key="sk-test", openai_base_url=openai_standin.base_url,
    )  # fmt: skip
    with build_engine(settings) as engine:
        engine.start()
        story = engine.story.with_config(STORY)
        adventure = story.start("harbor-town", "phishing-emails", chapters=3, owner=OPERATOR)
        first = list(story.stream_chapter(adventure.id, owner=OPERATOR))
        chapter = first[-1].chapter
        story.choose(adventure.id, 0, 0, owner=OPERATOR)
        second = list(story.stream_chapter(adventure.id, owner=OPERATOR))[-1].chapter
        images = [image for index in (0, 1) for image in story.wait_images(adventure.id, index, timeout=60, owner=OPERATOR)]
        generations = engine.generations.recent(100)

    assert sum(1 for event in first if event.kind == "delta") > 5  # streamed, piece by piece
    assert "letter with a strange link" in chapter.text
    assert chapter.choices_source == "model" and chapter.choices[0].startswith("Check who really sent the letter")
    assert "harbour" in second.text
    ready = [image for image in images if image.status == "ready"]
    assert len(ready) == len(images) >= 4, [(i.status, i.note) for i in images]  # 3 choice pictures + a scene
    assert {image.made_by for image in ready} == {"black-forest-labs/flux-schnell on replicate"}
    assert not any(image.is_placeholder for image in ready)
    assert len(standin.created("black-forest-labs/flux-schnell")) == len(images)
    text_calls = [g for g in generations if g.capability == "text" and g.outcome == "ok"]
    assert text_calls and {g.provider for g in text_calls} == {"openai"}
    assert any(r["body"].get("stream") for r in openai_standin.received)


def test_an_intent_lab_process_on_replicate_records_estimated_and_actual_cost_and_time(
    standin: ReplicateStandIn, data_dir: Path, engine_settings: Settings
) -> None:
    standin.plans["black-forest-labs/flux-kontext-pro"] = Plan(
        output=standin.serve_output("e.png", png_bytes(64, 64, (10, 120, 200)), "image/png")
    )
    settings = replicate_settings(data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir)
    face = (SAMPLES / "face.jpg").read_bytes()
    with build_engine(settings) as engine:
        result = engine.intent.process("give her curtain bangs", face, "balanced", owner=Owner("u1"))
        assert result.status is RunStatus.DONE, result.message
        row = engine.db.cursor().execute(
            "SELECT selected_model, provider, estimated_cost_usd, estimated_seconds, actual_model, actual_cost_usd,"
            " actual_seconds FROM intent_selections WHERE status = 'done'"
        ).fetchone()
        call = next(g for g in engine.generations.recent(50) if g.provider == "replicate" and g.outcome == "ok")

    model = result.plan.selection.primary
    price = catalogue_prices().price("replicate", model)
    assert price is not None and (result.provider, result.model) == ("replicate", model)
    selected, provider, estimated_cost, estimated_seconds, actual_model, actual_cost, actual_seconds = row
    assert (selected, provider, actual_model) == (model, "replicate", model)
    assert estimated_cost == price.cost_usd == actual_cost  # one picture came back: the price of one
    assert estimated_seconds > 0 and 0 < actual_seconds < 60
    assert (call.model, call.estimated_cost_usd, call.cost_usd, call.remote_seconds) == (model, price.cost_usd, price.cost_usd, 1.5)


def test_without_keys_nothing_reaches_a_remote_model(
    standin: ReplicateStandIn, openai_standin: OpenAIStandIn, data_dir: Path, engine_settings: Settings,
    face_jpeg: bytes, voice_wav: bytes,
) -> None:
    settings = engine_settings.model_copy(update={
        "cpu_workers": 2, "replicate_base_url": standin.base_url, "openai_base_url": openai_standin.base_url,
    })  # fmt: skip
    assert settings.replicate_api_token is None and settings.openai_api_key is None
    with build_engine(settings) as engine:
        records = list(_onboard(engine, face_jpeg, voice_wav)[1].values())
        face = (SAMPLES / "face.jpg").read_bytes()
        planned = engine.intent.process("give her curtain bangs", face, "balanced", owner=Owner("u1"))
        providers = {g.provider for g in engine.generations.recent(200)}

    assert {(r["provider"], "fallback_reason" in r) for r in records} == {("embedded", False)}
    assert {r["made_by"] for r in records if r["kind"] == "image"} == {"embedded OpenCV placement"}
    assert all(r["speech_provider"] == "embedded" for r in records if r["kind"] in ("video", "dub"))
    assert planned.provider in (None, "embedded")
    assert providers == {"embedded"}
    assert not standin.received and not openai_standin.received
