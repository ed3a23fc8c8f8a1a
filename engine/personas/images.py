"""Persona images on the queue, and the face-geometry comparison with the approved base image.

Each image is its own `persona.image` job with no batch handler, so the queue's least-loaded
placement spreads a batch over every device instead of packing it into one run. The handler
records which device ran it and which provider (through the gateway's fallback chain) drew it.

The comparison aligns two 478-point face meshes by a similarity Procrustes fit (translation,
scale, rotation removed) and measures the RMS distance of the aligned, unit-size shapes.
Photos of one face in similar poses stay well under `FAR_OFF`; a different face geometry or a
strong warp goes over it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import InvalidRequest
from engine.imaging import decode_image
from engine.ownership import OPERATOR
from engine.providers.base import ImageRequest
from engine.providers.gateway import CallContext, ModelGateway
from engine.providers.media_codec import png_of
from engine.providers.progress import reporting
from engine.queue import GenerationQueue, JobContext
from storage.media import MediaStore

__all__ = [
    "FACE_CHECK_KIND",
    "FAR_OFF",
    "PERSONA_IMAGE_JOB",
    "PERSONA_IMAGE_KIND",
    "Comparison",
    "FaceComparer",
    "register_persona_images",
    "shape_distance",
]

PERSONA_IMAGE_JOB = "persona.image"
PERSONA_IMAGE_KIND = "persona_image"  # the generations `kind` of a persona batch image
FACE_CHECK_KIND = "persona_face_check"  # the `kind` of the face detections that compare a batch with the base image
FAR_OFF = 0.06


def register_persona_images(queue: GenerationQueue, models: ModelGateway, media: MediaStore) -> None:
    """Register the `persona.image` job kind (one image per job, any device)."""

    def render(ctx: JobContext) -> dict[str, Any]:
        request = ImageRequest.model_validate(ctx.job.payload)
        # the remote adapters' progress and cancellation reach this job (engine.providers.progress)
        with reporting(lambda _index, fraction, message: ctx.report(fraction, message), lambda _index: ctx.cancelled):
            # the device the queue placed the job on reaches the adapter; the owner is recorded with the call
            context = CallContext(user_id=ctx.job.user_id, owner=ctx.job.user_id, job_id=ctx.job.id,
                                  device=ctx.device.name, kind=PERSONA_IMAGE_KIND, generation_id=uuid.uuid4().hex)
            served = models.image.generate_served([request], context)
        result = served.value[0]
        ref = media.put(png_of(result), "png", owner=ctx.job.user_id or OPERATOR.id)
        return {
            "media": ref.sha256,
            "is_placeholder": result.is_placeholder,
            "note": result.note,
            "provider": served.provider,
            "model": served.model,
            "device": ctx.device.name,
            "generation_id": context.generation_id,  # the generations record of this image, for feedback
        }

    queue.register(PERSONA_IMAGE_JOB, render)


def _normalised(points: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64)[:, :2]
    pts = pts - pts.mean(axis=0)
    norm = float(np.linalg.norm(pts))
    if norm == 0.0:
        raise InvalidRequest("landmarks", "all landmarks coincide; pass the landmarks of a real face")
    return pts / norm


def shape_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Procrustes distance of two landmark sets of the same layout (0 = same geometry)."""
    if np.asarray(a).shape != np.asarray(b).shape:
        raise InvalidRequest("landmarks", f"the two faces have different layouts: {np.shape(a)} vs {np.shape(b)}")
    x, y = _normalised(a), _normalised(b)
    u, _s, vt = np.linalg.svd(y.T @ x)
    rotation = u @ vt
    scale = float(np.trace((y @ rotation).T @ x))
    aligned = scale * (y @ rotation)
    return float(np.sqrt(((x - aligned) ** 2).sum(axis=1).mean()) * np.sqrt(len(x)))


@dataclass(frozen=True)
class Comparison:
    distance: float | None
    flagged: bool
    note: str


class FaceComparer:
    """Compares images with one base image by face-landmark geometry."""

    def __init__(self, models: ModelGateway, base_image: np.ndarray, *, owner: str | None = None) -> None:
        self._models = models
        self._context = CallContext(user_id=owner, owner=owner, kind=FACE_CHECK_KIND)
        faces = models.vision.detect_faces([base_image], self._context)[0]
        with_points = [f for f in faces if f.landmarks is not None]
        self.base_landmarks = with_points[0].landmarks if with_points else None

    def compare(self, images: Sequence[bytes]) -> list[Comparison]:
        if not images:
            return []
        if self.base_landmarks is None:
            return [Comparison(None, False, "the base image has no face to compare") for _ in images]
        arrays = [decode_image(data) for data in images]
        found = self._models.vision.detect_faces(arrays, self._context)
        out = []
        for faces in found:
            points = next((f.landmarks for f in faces if f.landmarks is not None), None)
            if points is None:
                out.append(Comparison(None, False, "no face to compare"))
                continue
            distance = shape_distance(self.base_landmarks, points)
            flagged = distance > FAR_OFF
            note = (f"face far off the base image (distance {distance:.3f} > {FAR_OFF})" if flagged
                    else f"face matches the base image (distance {distance:.3f})")
            out.append(Comparison(round(distance, 4), flagged, note))
        return out
