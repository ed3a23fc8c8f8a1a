"""Intent-lab selections run for real on Replicate (the local stand-in): the catalogue's pick is the
model that runs, and the run is logged with its estimated and actual cost."""

from __future__ import annotations

from pathlib import Path

from engine.engine import build_engine
from engine.intent import RunStatus
from engine.ownership import Owner
from engine.settings import Settings
from tests.providers.replicate_fixtures import replicate_settings
from tests.support.media_samples import mp4_bytes, png_bytes
from tests.support.replicate_standin import Plan, ReplicateStandIn

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"


def test_the_catalogue_pick_runs_on_replicate(standin: ReplicateStandIn, data_dir: Path, engine_settings: Settings) -> None:
    edited = standin.serve_output("e.png", png_bytes(64, 64, (10, 120, 200)), "image/png")
    for model in ("black-forest-labs/flux-kontext-pro", "black-forest-labs/flux-kontext-max"):
        standin.plans[model] = Plan(output=edited)
    standin.plans["kwaivgi/kling-v2.1"] = Plan(output=standin.serve_output("k.mp4", mp4_bytes(2.0), "video/mp4"))
    settings = replicate_settings(data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir)
    face = (SAMPLES / "face.jpg").read_bytes()
    with build_engine(settings) as engine:
        edit = engine.intent.process("give her curtain bangs", face, "balanced", owner=Owner("u1"))
        assert edit.status is RunStatus.DONE, edit.message
        assert (edit.provider, edit.model) == ("replicate", edit.plan.selection.primary)
        assert standin.created(edit.plan.selection.primary)
        clip = engine.intent.process("animate this photo so she smiles and waves", face, "balanced", owner=Owner("u1"))
        assert clip.status is RunStatus.DONE and clip.output_kind == "video", clip.message
        assert (clip.provider, clip.model) == ("replicate", "kwaivgi/kling-v2.1")
        rows = engine.db.cursor().execute(
            "SELECT provider, estimated_cost_usd, actual_cost_usd FROM intent_selections WHERE status = 'done'"
            " ORDER BY created_at"
        ).fetchall()
    assert [r[0] for r in rows] == ["replicate", "replicate"]
    assert rows[1][2] == 0.05 * 2.0  # kling: per second of the 2 s clip that came back
