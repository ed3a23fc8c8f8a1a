"""Built-in generation job kinds on the queue: text, speech and images, batched per model.

Flows submit `JobSpec(kind=..., payload=...)`; payloads are the provider request fields,
and results hold media ids rather than bytes, so the jobs table stays small. An image payload
may also say what the picture is for (`image_payload(request, kind="story_picture")`): its
generations record gets that `kind`, so the analytics show it under its own workflow.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.ownership import OPERATOR
from engine.providers.base import Capability, ImageRequest, SpeechRequest, TextRequest
from engine.providers.gateway import CallContext, CallItem
from engine.providers.media_codec import png_of
from engine.providers.progress import reporting
from engine.queue import JobContext, JobSpec, Priority

if TYPE_CHECKING:
    from engine.engine import Engine
    from engine.providers.gateway import ModelGateway
    from engine.queue import GenerationQueue
    from storage.media import MediaStore

__all__ = ["IMAGE_JOB", "SPEECH_JOB", "TEXT_JOB", "image_job", "image_payload", "register_generation_jobs"]

TEXT_JOB = "text.generate"
SPEECH_JOB = "speech.synthesize"
IMAGE_JOB = "image.generate"
_PURPOSE = "output_kind"  # the payload key of an image's `kind` (what it is for); not a request field


def image_payload(request: ImageRequest, *, kind: str | None = None) -> dict[str, Any]:
    """The payload of an `image.generate` job; `kind` labels the picture's generations record
    (e.g. story_picture), None leaves it unlabelled (shown as 'image')."""
    payload = request.model_dump(mode="json")
    return {**payload, _PURPOSE: kind} if kind else payload


def _image_request(payload: dict[str, Any]) -> tuple[ImageRequest, str | None]:
    fields = dict(payload)
    kind = fields.pop(_PURPOSE, None)
    return ImageRequest.model_validate(fields), kind


def _context(contexts: list[JobContext]) -> CallContext:
    first = contexts[0].job
    owners = {c.job.user_id for c in contexts}
    return CallContext(
        user_id=first.user_id, job_id=first.id if len(contexts) == 1 else None, device=contexts[0].device.name,
        owner=first.user_id if len(owners) == 1 else None,
    )


def image_job(
    engine: Engine, request: ImageRequest, *, user_id: str | None = None, priority: Priority = Priority.INTERACTIVE,
    job_id: str | None = None, kind: str | None = None,
) -> JobSpec:
    """A text-to-image job whose batch key groups it with same-model, same-parameter requests,
    so the queue runs them as one batched model call."""
    chain = engine.registry.chain(Capability.TEXT_TO_IMAGE)
    fields: dict[str, Any] = {"id": job_id} if job_id else {}
    return JobSpec(
        kind=IMAGE_JOB, payload=image_payload(request, kind=kind), priority=priority, user_id=user_id,
        batch_key=request.batch_key(chain[0] if chain else "-"), **fields,
    )


def _per_item(contexts: list[JobContext]):
    """Progress an adapter reports for item i of its batch goes to job i; cancelling job i cancels item i."""

    def reporter(index: int, fraction: float, message: str) -> None:
        if 0 <= index < len(contexts):
            contexts[index].report(fraction, message)

    def cancelled(index: int) -> bool:
        return 0 <= index < len(contexts) and contexts[index].cancelled

    return reporting(reporter, cancelled)


def _owner(context: JobContext) -> str:
    """A job's owner id (`jobs.user_id`); a job submitted without one is the operator's."""
    return context.job.user_id or OPERATOR.id


def register_generation_jobs(queue: GenerationQueue, models: ModelGateway, media: MediaStore) -> None:

    def text_batch(contexts: list[JobContext]) -> list[dict[str, Any] | None]:
        requests = [TextRequest.model_validate(c.job.payload) for c in contexts]
        results = models.text.generate(requests, _context(contexts))
        return [{"text": r.text, "tokens": r.tokens} for r in results]

    def speech_batch(contexts: list[JobContext]) -> list[dict[str, Any] | None]:
        requests = [SpeechRequest.model_validate(c.job.payload) for c in contexts]
        results = models.speech.synthesize(requests, _context(contexts))
        return [
            {"media": media.put(r.wav, "wav", owner=_owner(c)).sha256, "duration_s": r.duration_s,
             "sample_rate": r.sample_rate}
            for c, r in zip(contexts, results, strict=True)
        ]

    def image_batch(contexts: list[JobContext]) -> list[dict[str, Any] | None]:
        parsed = [_image_request(c.job.payload) for c in contexts]
        requests = [request for request, _kind in parsed]
        # each picture gets a generations record of its own (its id in the job's result), so each can be rated
        items = tuple(CallItem(generation_id=uuid.uuid4().hex, owner=c.job.user_id, kind=kind)
                      for c, (_request, kind) in zip(contexts, parsed, strict=True))
        with _per_item(contexts):
            served = models.image.generate_served(requests, replace(_context(contexts), items=items))
        stored = []
        for ctx, item, result in zip(contexts, items, served.value, strict=True):
            ref = media.put(png_of(result), "png", owner=_owner(ctx))
            stored.append({
                "media": ref.sha256, "is_placeholder": result.is_placeholder, "note": result.note,
                "provider": served.provider, "model": served.model, "device": ctx.device.name,
                "batch_size": len(contexts), "generation_id": item.generation_id,
            })
        return stored

    for kind, batch in ((TEXT_JOB, text_batch), (SPEECH_JOB, speech_batch), (IMAGE_JOB, image_batch)):
        queue.register(kind, lambda ctx, _batch=batch: _batch([ctx])[0], batch_handler=batch)
