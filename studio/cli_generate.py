"""`studio generate image`: text-to-image through the queue, batched like any other image job.

Registered with `cli_generate.register(generate_app)` in studio/cli.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

__all__ = ["register", "generate_image"]

err = Console(stderr=True, soft_wrap=True)


def _path(output: Path, index: int, count: int) -> Path:
    return output if count == 1 else output.with_name(f"{output.stem}-{index + 1}{output.suffix or '.png'}")


def generate_image(
    prompt: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG to write (with --count: NAME-1.png, NAME-2.png, ...).")] = Path("image.png"),
    provider: Annotated[str | None, typer.Option(help="Text-to-image adapter, e.g. diffusers (default: STUDIO_IMAGE_PROVIDER).")] = None,
    steps: Annotated[int | None, typer.Option(help="Denoising steps (default: the adapter's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the first image; the others take seed+1, seed+2, ...")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=256, help="Images to make, queued and batched.")] = 1,
) -> None:
    """Make COUNT images of PROMPT; one JSON line per image: path, device, seconds, provider."""
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
        started = time.perf_counter()
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
            line = {
                "path": str(path), "device": done.device, "seconds": round(time.perf_counter() - started, 3),
                "provider": done.result.get("provider"), "model": done.result.get("model"),
                "batch_size": done.result.get("batch_size"), "placeholder": done.result.get("is_placeholder"),
            }
            print(json.dumps(line), flush=True)
        if failed:
            raise typer.Exit(1)


def register(generate_app: typer.Typer) -> None:
    generate_app.command("image")(generate_image)
