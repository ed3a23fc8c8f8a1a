"""Onboarding with face swap and talking head on Replicate (the local stand-in): every scenario
image and video is made by the configured adapter, labelled, and says so; when the adapter fails,
each asset falls back to the embedded path and records why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.engine import Engine, build_engine
from engine.imaging import decode_image
from engine.ownership import OPERATOR
from engine.scenarios import OnboardRequest, ScenarioService
from engine.settings import Settings
from tests.providers.replicate_fixtures import replicate_settings
from tests.support.media_samples import mp4_bytes, png_bytes
from tests.support.replicate_standin import Plan, ReplicateStandIn

GREEN = (0, 200, 0)


@pytest.fixture
def remote_scenarios(standin: ReplicateStandIn, data_dir: Path,
                     engine_settings: Settings) -> Iterator[tuple[Engine, ScenarioService]]:  # fmt: skip
    settings = replicate_settings(
        data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir, cpu_workers=2,
        image_provider="embedded", image_edit_provider="embedded", image_to_video_provider="embedded",
        text_to_video_provider="none", speech_provider="embedded", voice_clone_provider="none",
    )  # fmt: skip
    engine = build_engine(settings)  # builds the one ScenarioService of its queue
    engine.start()
    try:
        yield engine, engine.scenarios
    finally:
        engine.close()


@pytest.mark.slow
def test_scenario_assets_use_the_configured_face_swap_and_talking_head_then_fall_back_per_asset(
    standin: ReplicateStandIn, remote_scenarios: tuple[Engine, ScenarioService], face_jpeg: bytes, voice_wav: bytes
) -> None:
    engine, service = remote_scenarios
    standin.plans["cdingram/face-swap"] = Plan(output=standin.serve_output("s.png", png_bytes(256, 192, GREEN), "image/png"))
    standin.plans["cjwbw/sadtalker"] = Plan(output=standin.serve_output("t.mp4", mp4_bytes(1.0, 10, 128, 96), "video/mp4"))
    request = OnboardRequest(name="Alex Doe", age=34, gender="female", photo=face_jpeg, voice=voice_wav, consent=True)
    person = service.onboard(request, owner=OPERATOR)
    statuses = service.wait(person.user_id, timeout=180, owner=OPERATOR)
    assert [s.status for s in statuses] == ["completed"] * 10, [(s.name, s.error) for s in statuses]
    by_name = {s.name: s for s in statuses}

    image = service.provenance(person.user_id, "lottery_image", owner=OPERATOR)
    assert (image["made_by"], image["provider"]) == ("cdingram/face-swap on replicate", "replicate")
    assert any("face swap (cdingram/face-swap on replicate)" in step for step in image["steps"])
    picture = decode_image(by_name["lottery_image"].path.read_bytes())
    # the swap at scene size (384 x 512), with the simulation strip added below it
    assert picture.shape[1] == 512 and picture.shape[0] > 384 and tuple(picture[150, 256]) == GREEN
    red, green, _ = picture[-3, 2].astype(int)
    assert red >= 140 and green < 100  # the red simulation strip, under the swap, covering none of it
    video = service.provenance(person.user_id, "lottery_video", owner=OPERATOR)
    assert video["made_by"] == "cjwbw/sadtalker on replicate" and "simulation banner in every frame" in video["steps"]
    assert len(standin.created("cdingram/face-swap")) == 4 and len(standin.created("cjwbw/sadtalker")) == 4  # four scenarios
    made = {r.kind for r in engine.generations.recent(100) if r.provider == "replicate" and r.outcome == "ok"}
    assert "scenario_face_swap" in made

    standin.plans["cdingram/face-swap"] = Plan(error="no face found in the target image")
    standin.plans["cjwbw/sadtalker"] = Plan(output="not a url")
    second = service.onboard(request.model_copy(update={"name": "Sam Roe"}), owner=OPERATOR)
    statuses = service.wait(second.user_id, timeout=180, owner=OPERATOR)
    assert [s.status for s in statuses] == ["completed"] * 10, [(s.name, s.error) for s in statuses]
    image = service.provenance(second.user_id, "lottery_image", owner=OPERATOR)
    assert image["made_by"] == "embedded OpenCV placement" and image["provider"] == "embedded"
    assert "no face found" in image["fallback_reason"] or "paused" in image["fallback_reason"]
    video = service.provenance(second.user_id, "lottery_video", owner=OPERATOR)
    assert video["made_by"] == "embedded mouth warp" and video["fallback_reason"]
    embedded = decode_image(next(s for s in statuses if s.name == "lottery_image").path.read_bytes())
    assert tuple(embedded[150, 256]) != GREEN and not np.all(embedded[150, 256] == embedded[151, 257])
