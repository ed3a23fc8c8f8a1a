"""The diffusers adapter on a tiny random-weight Stable Diffusion pipeline built here (real diffusers
code, CPU, 2 steps, no network): text-to-image, img2img, inpaint, one pipeline per device, and
queued requests batched into one pipeline call with progress per image."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("diffusers")

from engine.engine import Engine, build_engine
from engine.errors import ProviderUnavailable
from engine.jobs import image_job
from engine.ownership import Owner
from engine.providers.base import Capability, ImageRequest
from engine.providers.generative import ImageEditRequest
from engine.queue import JobStatus
from engine.settings import Settings
from tests.support.tiny_diffusion import save_tiny_pipeline

SIZE = 64


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("tiny-sd"))


@pytest.fixture(scope="module")
def engine(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("diffusers-data"), image_provider="diffusers", image_edit_provider="diffusers",
        fallback_providers=[], diffusers_model=str(tiny_model), diffusers_steps=2, diffusers_size=SIZE,
        queue_batch_window_ms=200, use_cuda=False, _env_file=None,  # type: ignore[call-arg]
    )
    with build_engine(settings) as built:
        built.start()
        yield built


def _pipelines(engine: Engine):
    adapter = engine.registry.get(Capability.TEXT_TO_IMAGE, "diffusers", "cpu")
    return adapter._pipelines  # type: ignore[attr-defined]


def _picture() -> np.ndarray:
    ramp = np.linspace(0, 255, SIZE, dtype=np.uint8)
    return np.stack([np.tile(ramp, (SIZE, 1)), np.tile(ramp[:, None], (1, SIZE)), np.full((SIZE, SIZE), 90, np.uint8)], -1)


def test_text_to_image_through_the_gateway(engine: Engine) -> None:
    served = engine.models.image.generate_served([ImageRequest(prompt="a red fox", seed=1), ImageRequest(prompt="a cat", seed=2)])
    assert served.provider == "diffusers" and served.model == "model"
    images = [np.asarray(r.image) for r in served.value]
    assert [i.shape for i in images] == [(SIZE, SIZE, 3)] * 2 and not any(r.is_placeholder for r in served.value)
    assert not np.array_equal(images[0], images[1])
    again = engine.models.image.generate([ImageRequest(prompt="a red fox", seed=1)])[0]
    assert np.array_equal(np.asarray(again.image), images[0])  # seeded: the same image
    [record] = [r for r in engine.generations.recent(20) if r.provider == "diffusers" and r.request_summary.startswith("[2]")]
    assert record.outcome == "ok" and record.capability == "image"


def test_img2img_and_inpaint(engine: Engine) -> None:
    picture = _picture()
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[16:48, 16:48] = 1
    [redrawn] = engine.models.image_edit.edit([ImageEditRequest(image=picture, prompt="watercolour", mode="img2img", strength=0.7, seed=3)])
    [filled] = engine.models.image_edit.edit([ImageEditRequest(image=picture, prompt="a window", mode="inpaint", mask=mask, strength=1.0, seed=3)])
    for result in (redrawn, filled):
        assert result.image.shape == (SIZE, SIZE, 3) and result.image.dtype == np.uint8
        assert not np.array_equal(result.image, picture)
    with pytest.raises(ProviderUnavailable, match="instruction"):
        engine.models.image_edit.edit([ImageEditRequest(image=picture, prompt="make it brighter")])


def test_one_pipeline_per_device_loaded_once_and_shared_by_the_capabilities(engine: Engine) -> None:
    engine.models.image.generate([ImageRequest(prompt="a lighthouse", seed=4)])
    editor = engine.registry.get(Capability.IMAGE_EDIT, "diffusers", "cpu")
    pipelines = _pipelines(engine)
    assert editor._pipelines is pipelines  # type: ignore[attr-defined]
    first = pipelines.get("cpu")
    assert pipelines.get("cpu") is first and pipelines.devices() == ["cpu"] and pipelines.loads == 1
    assert first.img2img.unet is first.text2img.unet  # img2img and inpaint reuse the components
    with pytest.raises(ProviderUnavailable, match="cuda:3"):
        pipelines.get("cuda:3")  # no CUDA here: said plainly, nothing cached
    assert pipelines.devices() == ["cpu"]


def test_four_queued_requests_run_as_one_pipeline_call_with_progress_per_image(engine: Engine) -> None:
    loaded = _pipelines(engine).get("cpu")
    before = loaded.calls
    specs = [image_job(engine, ImageRequest(prompt=f"a fox number {i}", seed=i)) for i in range(4)]
    jobs = engine.queue.submit_many(specs)
    streams = [engine.queue.events(job.id, timeout=600) for job in jobs]
    done = [engine.queue.wait(job.id, 600) for job in jobs]
    assert all(job.status is JobStatus.COMPLETED for job in done)
    assert loaded.calls - before == 1  # ONE pipeline call for the four
    assert {job.result["batch_size"] for job in done if job.result} == {4}
    assert {job.result["provider"] for job in done if job.result} == {"diffusers"}
    for stream in streams:
        steps = [event.message for event in stream if (event.message or "").startswith("step")]
        assert steps == ["step 1/2", "step 2/2"]  # each job heard its own progress


def test_the_intent_lab_runs_text_to_image_on_diffusers_and_reports_the_served_model(engine: Engine) -> None:
    result = engine.intent.process("a watercolour painting of a lighthouse at dawn", None, "balanced", owner=Owner("u1"))
    assert result.plan.selection.provider == "diffusers" and result.plan.runnable_here
    assert (result.status.value, result.provider, result.model) == ("done", "diffusers", "model")
    assert result.output_kind == "image" and result.actual_cost_usd == 0.0


def test_studio_generate_image_count_writes_one_json_line_per_image(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from studio.cli import app

    for name, value in {
        "STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_DIFFUSERS_MODEL": str(tiny_model), "STUDIO_DIFFUSERS_SIZE": str(SIZE),
        "STUDIO_QUEUE_BATCH_WINDOW_MS": "300", "STUDIO_USE_CUDA": "false",
    }.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "fox.png"
    ran = CliRunner().invoke(app, ["generate", "image", "a fox", "-o", str(out), "--provider", "diffusers",
                                   "--steps", "2", "--seed", "5", "--count", "3"])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    lines = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    assert [Path(line["path"]).name for line in lines] == ["fox-1.png", "fox-2.png", "fox-3.png"]
    assert all(Path(line["path"]).stat().st_size > 0 for line in lines)
    assert {(line["provider"], line["device"], line["batch_size"]) for line in lines} == {("diffusers", "cpu", 3)}
    # Each line's seconds is that image's own run (one call made all three), not time since submission,
    # which would grow line by line; the wait before the run is queued_s.
    assert len({line["seconds"] for line in lines}) == 1 and lines[0]["seconds"] > 0
    assert all(line["queued_s"] >= 0 for line in lines)


def test_an_images_own_seconds_are_its_run_not_the_time_since_the_batch_was_submitted() -> None:
    from datetime import UTC, datetime, timedelta

    from engine.queue import Job
    from studio.cli_generate import _own_seconds

    submitted = datetime(2026, 1, 1, tzinfo=UTC)
    job = Job(id="j", kind="image", payload={}, priority=0, status=JobStatus.COMPLETED, parents=[], attempts=1,
              max_retries=0, timeout_s=60, created_at=submitted,
              started_at=submitted + timedelta(seconds=4), finished_at=submitted + timedelta(seconds=6.5))  # fmt: skip
    assert _own_seconds(job) == (2.5, 4.0)
    assert _own_seconds(job.model_copy(update={"started_at": None, "finished_at": None})) == (None, None)


def test_a_batch_is_split_when_the_device_reports_little_free_memory(tiny_model: Path, tmp_path: Path) -> None:
    from engine.providers.diffusers_adapter import DiffusersImageModel, DiffusersPipelines, batch_limit

    settings = Settings(
        data_dir=tmp_path / "data", diffusers_model=str(tiny_model), diffusers_steps=2, diffusers_size=SIZE,
        queue_max_batch=8, use_cuda=False, _env_file=None,  # type: ignore[call-arg]
    )
    room_for_two = int(2 * 1.2e9 * (SIZE * SIZE) / (512 * 512) / 0.8) + 1  # bytes two 64² images need
    asked: list[str] = []

    def probe(device: str) -> int:
        asked.append(device)
        return room_for_two

    assert batch_limit(settings, room_for_two, SIZE, SIZE) == 2 and batch_limit(settings, None, SIZE, SIZE) == 8
    assert batch_limit(settings, 0, SIZE, SIZE) == 1  # no room reported: still one image at a time
    pipelines = DiffusersPipelines(settings, free_memory=probe)
    model = DiffusersImageModel(settings, "cpu", pipelines)
    requests = [ImageRequest(prompt=f"a fox number {i}", seed=i) for i in range(5)]
    results = model.generate(requests)
    assert len(results) == 5 and all(np.asarray(r.image).shape == (SIZE, SIZE, 3) for r in results)
    assert pipelines.get("cpu").calls == 3  # 2 + 2 + 1, not one call of 5
    assert asked == ["cpu"]

    roomy = DiffusersPipelines(settings, free_memory=lambda device: None)  # nothing bounds it: one call
    DiffusersImageModel(settings, "cpu", roomy).generate(requests)
    assert roomy.get("cpu").calls == 1
