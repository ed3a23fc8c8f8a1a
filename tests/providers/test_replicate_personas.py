"""Persona batches on the configured image provider (Replicate, the local stand-in): each image says
which provider and model drew it, the cost check counts every image, and a failed prediction falls
back to the labelled embedded card for that image alone."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from engine.engine import build_engine
from engine.ownership import Owner
from engine.personas import PersonaProfile
from engine.settings import Settings
from tests.providers.replicate_fixtures import replicate_settings
from tests.support.media_samples import png_bytes
from tests.support.replicate_standin import Failure, Plan, ReplicateStandIn

ALICE = Owner("alice")
ADA = PersonaProfile(
    name="Ada", personality_traits=["kind"], aesthetic="sleek", voice_style="precise", tone_preference="warm",
    themes=["robotics"], appearance_description="short dark hair",
)  # fmt: skip


def test_a_persona_batch_is_drawn_by_replicate_with_a_fallback_per_image(
    standin: ReplicateStandIn, data_dir: Path, engine_settings: Settings
) -> None:
    plan = Plan(output=[standin.serve_output("p.png", png_bytes(64, 64), "image/png")],
                create_failures=deque([Failure(500)] * 3))  # the first image's three attempts fail  # fmt: skip
    standin.plans["black-forest-labs/flux-schnell"] = plan
    settings = replicate_settings(data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir,
                                  cpu_workers=1)  # fmt: skip
    with build_engine(settings) as engine:
        engine.start()
        ada = engine.personas.create(ADA, owner=ALICE)
        images = engine.personas.batch(ada.id, ["at the lab", "on stage", "at home"], owner=ALICE)
    assert [i.status for i in images] == ["completed"] * 3
    by_provider = sorted((i.provider, i.is_placeholder) for i in images)
    assert by_provider == [("embedded", True), ("replicate", False), ("replicate", False)]
    assert len(standin.created()) == 2
