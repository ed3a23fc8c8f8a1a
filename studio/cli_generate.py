"""`studio generate image`: text-to-image through the queue, batched like any other image job;
with `--image`, an edit of that picture (`--mask`: inpaint where the mask is white); with
`--face` too, that face swapped into the picture. `studio generate video`: text-to-video, or
image-to-video from a still (`--image`), or that still speaking `--audio` (talking head), with
progress on stderr. `--provider` picks the adapter of the capability the options lead to,
`--model` a model that adapter knows (e.g. a Replicate catalogue id).

Registered with `cli_generate.register(generate_app)` in studio/cli.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from engine.imaging import encode_png

if TYPE_CHECKING:
    from engine.queue import Job

__all__ = ["generate_image", "generate_video", "register"]

err = Console(stderr=True, soft_wrap=True)


def _path(output: Path, index: int, count: int) -> Path:
    return output if count == 1 else output.with_name(f"{output.stem}-{index + 1}{output.suffix or '.png'}")


def _refuse(message: str) -> NoReturn:
    err.print(f"[red]studio:[/red] {message}", highlight=False)
    raise typer.Exit(2)


def _picture(path: Path, field: str) -> Any:
    from engine.imaging import decode_image

    try:
        return decode_image(path.read_bytes(), field=field)
    except OSError as exc:
        _refuse(f"--{field}: {path} cannot be read ({exc.strerror or exc})")


def _served_line(output: Path, data: bytes, served: Any, started: float, **extra: object) -> None:
    """Write the output and print its one JSON line: path, seconds, provider, model, cost."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    print(json.dumps({
        "path": str(output), "seconds": round(time.perf_counter() - started, 3), "provider": served.provider,
        "model": served.model, "cost_usd": round(served.cost_usd, 4), **extra,
    }), flush=True)  # fmt: skip


def _show(index: int, fraction: float, message: str) -> None:
    err.print(f"{fraction:4.0%} {message}", highlight=False)


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
    provider: Annotated[str | None, typer.Option(help="The adapter: text-to-image, or image edit with --image, or face swap with --face (default: STUDIO_IMAGE_PROVIDER / STUDIO_IMAGE_EDIT_PROVIDER / STUDIO_FACE_SWAP_PROVIDER).")] = None,
    image: Annotated[Path | None, typer.Option(help="A picture to edit as PROMPT says (image edit); with --face, the picture to put the face into.")] = None,
    mask: Annotated[Path | None, typer.Option(help="With --image: a black-and-white picture of its size, white where to repaint (inpaint).")] = None,
    face: Annotated[Path | None, typer.Option(help="With --image: a photo whose face is swapped into the --image picture (face swap).")] = None,
    mode: Annotated[str | None, typer.Option(help="With --image: instruction, img2img or inpaint (default: inpaint with --mask, else instruction).")] = None,
    strength: Annotated[float, typer.Option(min=0.01, max=1.0, help="With --image: how far img2img/inpaint may move from it.")] = 0.6,
    model: Annotated[str | None, typer.Option(help="A model the adapter knows, e.g. black-forest-labs/flux-dev on replicate.")] = None,
    steps: Annotated[int | None, typer.Option(help="Denoising steps (default: the adapter's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the first image; the others take seed+1, seed+2, ...")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=256, help="Images to make, queued and batched.")] = 1,
) -> None:
    """Make COUNT images of PROMPT (or edit --image, or swap --face into it); one JSON line per image:
    path, device, seconds (that image's own run on the device; `queued_s` is its wait before), provider."""
    from engine.jobs import image_job
    from engine.ownership import OPERATOR
    from engine.providers.base import ImageRequest
    from engine.queue import JobStatus
    from studio.cli import opened_engine

    if (mask or face or mode) and image is None:
        _refuse("--mask, --face and --mode work on a picture: give it with --image PATH")
    if face and (mask or mode):
        _refuse("--face swaps a face into --image; --mask and --mode are for edits, not swaps")
    if image is not None and count > 1:
        _refuse("--count makes several new images; an edit or a swap of --image makes one")
    if image is not None:
        return _edit_or_swap(prompt, output, provider, image, mask, face, mode, strength, model, steps, seed)
    if model is not None:
        return _generate_one(prompt, output, provider, model, steps, seed)
    overrides: dict[str, object] = {"image_provider": provider} if provider else {}
    with opened_engine(**overrides) as engine:
        try:
            requests = [
                ImageRequest(prompt=prompt, steps=steps, seed=None if seed is None else seed + i) for i in range(count)
            ]
        except ValidationError as exc:
            first = exc.errors()[0]
            _refuse(f"{first['loc'][0]}: {first['msg']}")
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


def _generate_one(prompt: str, output: Path, provider: str | None, model: str, steps: int | None,
                  seed: int | None) -> None:  # fmt: skip
    """One text-to-image call that runs `model` (outside the queue: a batch is one model's)."""
    from engine.ownership import OPERATOR
    from engine.providers.base import ImageRequest
    from engine.providers.gateway import CallContext
    from engine.providers.progress import reporting
    from studio.cli import opened_engine

    overrides: dict[str, object] = {"image_provider": provider} if provider else {}
    with opened_engine(**overrides) as engine:
        try:
            request = ImageRequest(prompt=prompt, steps=steps, seed=seed)
        except ValidationError as exc:
            _refuse(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
        started = time.perf_counter()
        with reporting(_show):
            served = engine.models.image.generate_served(
                [request], CallContext(owner=OPERATOR.id, kind="cli_image", model=model)
            )
        result = served.value[0]
        _served_line(output, encode_png(result.image), served, started, placeholder=result.is_placeholder)


def _edit_or_swap(prompt: str, output: Path, provider: str | None, image: Path, mask: Path | None,
                  face: Path | None, mode: str | None, strength: float, model: str | None, steps: int | None,
                  seed: int | None) -> None:  # fmt: skip
    """An edit of `image` (inpaint with `mask`), or `face` swapped into it."""
    from engine.ownership import OPERATOR
    from engine.providers.gateway import CallContext
    from engine.providers.generative import FaceSwapRequest, ImageEditRequest
    from engine.providers.progress import reporting
    from studio.cli import opened_engine

    kind = "face_swap" if face else "image_edit"
    overrides: dict[str, object] = {f"{kind}_provider": provider} if provider else {}
    with opened_engine(**overrides) as engine:
        picture = _picture(image, "image")
        try:
            if face is not None:
                swap = FaceSwapRequest(face=_picture(face, "face"), target=picture)
            else:
                painted = None if mask is None else (_picture(mask, "mask").max(axis=2) > 127).astype("uint8") * 255
                edit = ImageEditRequest(
                    image=picture, prompt=prompt, mode=mode or ("inpaint" if mask is not None else "instruction"),
                    mask=painted, strength=strength, steps=steps, seed=seed,
                )  # type: ignore[arg-type]
        except ValidationError as exc:
            _refuse(f"--{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
        context = CallContext(owner=OPERATOR.id, kind=f"cli_{kind}", model=model)
        started = time.perf_counter()
        with reporting(_show):
            served = (
                engine.models.face_swap.swap_served([swap], context) if face is not None
                else engine.models.image_edit.edit_served([edit], context)
            )  # fmt: skip
        result = served.value[0]
        _served_line(output, encode_png(result.image), served, started, operations=list(result.operations))


def generate_video(
    prompt: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="MP4 to write.")] = Path("video.mp4"),
    image: Annotated[Path | None, typer.Option(help="A still to start from (image-to-video); without it, text-to-video.")] = None,
    audio: Annotated[Path | None, typer.Option(help="With --image: a WAV the face in it speaks (talking head); PROMPT is then only a note.")] = None,
    seconds: Annotated[float, typer.Option(min=0.5, max=60, help="Length asked for (the model may round it).")] = 5.0,
    provider: Annotated[str | None, typer.Option(help="Video adapter, e.g. replicate (default: STUDIO_TEXT_TO_VIDEO_PROVIDER / STUDIO_IMAGE_TO_VIDEO_PROVIDER / STUDIO_TALKING_HEAD_PROVIDER).")] = None,
    model: Annotated[str | None, typer.Option(help="A catalogue model id the adapter should run, e.g. lightricks/ltx-video.")] = None,
) -> None:
    """Make a clip of PROMPT (from --image when given; speaking --audio with it); progress on stderr, one JSON line: path, seconds, provider, model, cost."""
    from engine.ownership import OPERATOR
    from engine.providers.gateway import CallContext
    from engine.providers.generative import ImageToVideoRequest, TalkingHeadRequest, TextToVideoRequest
    from engine.providers.progress import reporting
    from studio.cli import opened_engine

    if audio is not None and image is None:
        _refuse("--audio is what a face says: give the face with --image PATH")
    kind = "talking_head" if audio else "image_to_video" if image else "text_to_video"
    overrides: dict[str, object] = {f"{kind}_provider": provider} if provider else {}
    with opened_engine(**overrides) as engine:
        try:
            if audio is not None and image is not None:
                request: object = TalkingHeadRequest(image=_picture(image, "image"), audio_wav=audio.read_bytes())
            elif image is not None:
                request = ImageToVideoRequest(image=_picture(image, "image"), prompt=prompt, seconds=seconds)
            else:
                request = TextToVideoRequest(prompt=prompt, seconds=seconds)
        except (ValidationError, OSError) as exc:
            _refuse(f"{exc}".splitlines()[0])
        context = CallContext(owner=OPERATOR.id, kind=f"cli_{kind}", model=model)
        started = time.perf_counter()
        services = engine.models
        with reporting(_show):
            served = (
                services.talking_head.animate_served([request], context) if kind == "talking_head"  # type: ignore[list-item]
                else services.image_to_video.animate_served([request], context) if kind == "image_to_video"  # type: ignore[list-item]
                else services.text_to_video.generate_served([request], context)  # type: ignore[list-item]
            )  # fmt: skip
        clip = served.value[0]
        _served_line(output, clip.mp4, served, started, duration_s=round(clip.duration_s, 2))


def register(generate_app: typer.Typer) -> None:
    generate_app.command("image")(generate_image)
    generate_app.command("video")(generate_video)
