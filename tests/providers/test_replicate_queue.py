"""Replicate behind the engine's queue: a queued image job shows the prediction's progress as job
events, lands in the media store, and cancelling the job cancels the prediction."""

from __future__ import annotations

import time
from io import BytesIO
from pathlib import Path

from PIL import Image

from engine.engine import build_engine
from engine.jobs import image_job
from engine.providers.base import ImageRequest
from engine.queue import JobStatus
from engine.settings import Settings
from tests.providers.replicate_fixtures import replicate_settings
from tests.support.media_samples import png_bytes
from tests.support.replicate_standin import Plan, ReplicateStandIn

SCHNELL = "black-forest-labs/flux-schnell"


def _settings(standin: ReplicateStandIn, data_dir: Path, engine_settings: Settings) -> Settings:
    return replicate_settings(data_dir, standin.base_url, model_cache_dir=engine_settings.model_cache_dir, cpu_workers=2,
                              job_retries=0, replicate_poll_s=0.05)  # fmt: skip


def test_queued_job_reports_progress_stores_the_image_and_cancels_the_prediction(
    standin: ReplicateStandIn, data_dir: Path, engine_settings: Settings
) -> None:
    standin.plans[SCHNELL] = Plan(
        output=[standin.serve_output("q.png", png_bytes(20, 10), "image/png")],
        polls=[("starting", ""), ("processing", " 20%|██        | 1/5"), ("processing", " 60%|██████    | 3/5")],
    )
    with build_engine(_settings(standin, data_dir, engine_settings)) as engine:
        engine.start()
        job = engine.queue.submit(image_job(engine, ImageRequest(prompt="a kite"), user_id="u1"))
        events = list(engine.queue.events(job.id, timeout=60))
        done = engine.queue.wait(job.id, timeout=60)
        assert done.status is JobStatus.COMPLETED and done.result is not None
        assert (done.result["provider"], done.result["model"]) == ("replicate", SCHNELL)
        assert Image.open(BytesIO(engine.media.read(done.result["media"]))).size == (20, 10)
        messages = [e.message or "" for e in events]
        assert any("3/5 (60%)" in m for m in messages)
        progress = [e.progress for e in events if e.status is JobStatus.RUNNING]
        assert progress == sorted(progress) and max(progress) >= 0.58

        standin.plans[SCHNELL] = Plan(output=[], polls=[("processing", "")] * 100_000)
        job = engine.queue.submit(image_job(engine, ImageRequest(prompt="a slow kite"), user_id="u1"))
        deadline = time.monotonic() + 30
        while not standin.created() or len(standin.created()) < 2:
            assert time.monotonic() < deadline, "the prediction was never created"
            time.sleep(0.02)
        engine.queue.cancel(job.id)
        done = engine.queue.wait(job.id, timeout=30)
        assert done.status is JobStatus.CANCELLED
        slow = standin.created()[1]
        assert standin.cancelled == [slow.id] and slow.status == "canceled"
