"""`studio generate image`: text-to-image through the queue, batched like any other image job;
`studio generate video`: text-to-video, or image-to-video from a still, with progress on stderr.

Registered with `cli_generate.register(generate_app)` in studio/cli.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

if TYPE_CHECKING:
    from engine.queue import Job

__all__ = ["register", "generate_image", "generate_video"]

err = Console(stderr=True, soft_wrap=True)


def _path(output: Path, index: int, count: int) -> Path:
    return output if count == 1 else output.with_name(f"{output.stem}-{index + 1}{output.suffix or '.png'}")


def _own_seconds(job: Job) -> tuple[float | None, float | None]:
    """(seconds the job ran on its device, seconds it queued before that), from its own start and
    finish: an image's time, not the time since the first of a --count batch was submitted."""
    if job.started_at is None:
        return None, None
    waited = round((job.started_at - job.created_at).total_seconds(), 3)
    ran = None if job.finished_at is None else round((job.finished_at - job.started_at).total_seconds(), 3)
    return ran, waited


def generate_image(
    prompt: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG to write (with --count: NAME-1.png, NAME-2.png, ...).")] = Path("image.png"),
    provider: Annotated[str | None, typer.Option(help="Text-to-image adapter, e.g. diffusers (default: STUDIO_IMAGE_PROVIDER).")] = None,
    steps: Annotated[int | None, typer.Option(help="Denoising steps (default: the adapter's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the first image; the others take seed+1, seed+2, ...")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=256, help="Images to make, queued and batched.")] = 1,
) -> None:
    """Make COUNT images of PROMPT; one JSON line per image: path, device, seconds (that image's own
    run on the device; `queued_s` is its wait before), provider."""
    from engine.jobs import image_job
    from engine.ownership import OPERATOR
    from engine.providers.base import ImageRequest
    from engine.queue import JobStatus
    from studio.cli import opened_engine

    overrides: dict[str, object] = {"image_provider": provider} if provider else {}
    with opened_engine(**overrides) as engine:
        try:
            requests = [
                ImageRequest(prompt=prompt, steps=steps, seed=None if seed is None else seed + i) for i in range(count)
            ]
        except ValidationError as exc:
            first = exc.errors()[0]
            err.print(f"[red]studio:[/red] {first['loc'][0]}: {first['msg']}", highlight=False)
            raise typer.Exit(2) from exc
        engine.start()
        jobs = engine.queue.submit_many([image_job(engine, request, user_id=OPERATOR.id) for request in requests])
        failed = False
        for index, job in enumerate(jobs):
            done = engine.queue.wait(job.id)
            if done.status is not JobStatus.COMPLETED or not done.result:
                err.print(f"[red]studio:[/red] image {index + 1} {done.status.value}: {done.error}", highlight=False)
                failed = True
                continue
            path = _path(output, index, count)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(engine.media.read(done.result["media"]))
            seconds, queued = _own_seconds(done)
            line = {
                "path": str(path), "device": done.device, "seconds": seconds, "queued_s": queued,
                "provider": done.result.get("provider"), "model": done.result.get("model"),
                "batch_size": done.result.get("batch_size"), "placeholder": done.result.get("is_placeholder"),
            }
            print(json.dumps(line), flush=True)
        if failed:
            raise typer.Exit(1)


def generate_video(
    prompt: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="MP4 to write.")] = Path("video.mp4"),
    image: Annotated[Path | None, typer.Option(help="A still to start from (image-to-video); without it, text-to-video.")] = None,
    seconds: Annotated[float, typer.Option(min=0.5, max=60, help="Length asked for (the model may round it).")] = 5.0,
    provider: Annotated[str | None, typer.Option(help="Video adapter, e.g. replicate (default: STUDIO_TEXT_TO_VIDEO_PROVIDER / STUDIO_IMAGE_TO_VIDEO_PROVIDER).")] = None,
    model: Annotated[str | None, typer.Option(help="A catalogue model id the adapter should run, e.g. lightricks/ltx-video.")] = None,
) -> None:
    """Make a clip of PROMPT (from --image when given); progress on stderr, one JSON line: path, seconds, provider, model, cost."""
    from engine.imaging import decode_image
    from engine.ownership import OPERATOR
    from engine.providers.gateway import CallContext
    from engine.providers.generative import ImageToVideoRequest, TextToVideoRequest
    from engine.providers.progress import reporting
    from studio.cli import opened_engine

    kind = "image_to_video" if image else "text_to_video"
    overrides: dict[str, object] = {f"{kind}_provider": provider} if provider else {}
    with opened_engine(**overrides) as engine:
        try:
            request = (
                ImageToVideoRequest(image=decode_image(image.read_bytes()), prompt=prompt, seconds=seconds) if image
                else TextToVideoRequest(prompt=prompt, seconds=seconds)
            )  # fmt: skip
        except (ValidationError, OSError) as exc:
            err.print(f"[red]studio:[/red] {exc}".splitlines()[0], highlight=False)
            raise typer.Exit(2) from exc
        context = CallContext(owner=OPERATOR.id, kind=f"cli_{kind}", model=model)
        started = time.perf_counter()

        def show(index: int, fraction: float, message: str) -> None:
            err.print(f"{fraction:4.0%} {message}", highlight=False)

        with reporting(show):
            served = (
                engine.models.image_to_video.animate_served([request], context) if image  # type: ignore[list-item]
                else engine.models.text_to_video.generate_served([request], context)  # type: ignore[list-item]
            )  # fmt: skip
        clip = served.value[0]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(clip.mp4)
        print(json.dumps({
            "path": str(output), "seconds": round(time.perf_counter() - started, 3), "provider": served.provider,
            "model": served.model, "cost_usd": round(served.cost_usd, 4), "duration_s": round(clip.duration_s, 2),
        }), flush=True)  # fmt: skip


def register(generate_app: typer.Typer) -> None:
    generate_app.command("image")(generate_image)
    generate_app.command("video")(generate_video)
