"""Scenario assets from a configured generative provider: the face swapped into the scene and
the talking photo, when a face-swap or talking-head adapter is configured and can run here.

Which adapter is asked comes from the registry (the capability's configured chain, kept to
those whose checks pass), never from provider names. Each function returns what was made
and by whom, or None with the reason, and the maker then takes today's embedded path for
that asset alone. Both kinds keep the simulation banner: it is burned in again over what
the model returned (every frame of a clip).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import ProviderError
from engine.providers import ffmpeg_io
from engine.providers.generative import FaceSwapRequest, TalkingHeadRequest
from engine.scenarios.provenance import burn_banner

if TYPE_CHECKING:
    from engine.providers.gateway import CallContext, ModelGateway

__all__ = ["Fallback", "Generated", "configured", "made_by", "swap_into_scene", "talking_clip"]


@dataclass(frozen=True)
class Generated:
    """What a generative adapter made: an image (RGB array) or clip frames, and which adapter made it."""

    provider: str
    model: str
    image: np.ndarray | None = None
    frames: list[np.ndarray] | None = None
    fps: float = 0.0

    @property
    def made_by(self) -> str:
        return f"{self.model} on {self.provider}"


@dataclass(frozen=True)
class Fallback:
    """Why the embedded path made the asset (None: no generative adapter is configured)."""

    reason: str | None


def configured(service: Any) -> bool:
    """Whether the capability's configured chain has an adapter that can run here."""
    runnable = set(service.runnable())
    return any(provider in runnable for provider in service.chain())


def swap_into_scene(models: ModelGateway, photo: np.ndarray, scene: np.ndarray,
                    context: CallContext) -> Generated | Fallback:  # fmt: skip
    """The person's face swapped into the rendered scene (which already holds it, placed and blended)."""
    if not configured(models.face_swap):
        return Fallback(None)
    try:
        served = models.face_swap.swap_served([FaceSwapRequest(face=photo, target=scene)], context)
    except ProviderError as exc:
        return Fallback(exc.user_message)
    image = _same_size(np.asarray(served.value[0].image), scene)
    return Generated(served.provider, served.model, image=burn_banner(image))


def talking_clip(models: ModelGateway, image: np.ndarray, wav: bytes, fps: float,
                 context: CallContext) -> Generated | Fallback:  # fmt: skip
    """The scene image speaking `wav`, as frames (banner burned into each) to encode with that audio."""
    if not configured(models.talking_head):
        return Fallback(None)
    try:
        served = models.talking_head.animate_served([TalkingHeadRequest(image=image, audio_wav=wav, fps=fps)], context)
        frames, clip_fps = _frames(served.value[0].mp4)
    except ProviderError as exc:
        return Fallback(exc.user_message)
    banner = [burn_banner(_same_size(frame, image)) for frame in frames]
    return Generated(served.provider, served.model, frames=banner, fps=clip_fps)


def _same_size(picture: np.ndarray, like: np.ndarray) -> np.ndarray:
    if picture.shape[:2] == like.shape[:2]:
        return picture.astype(np.uint8)
    import cv2

    return cv2.resize(picture.astype(np.uint8), (like.shape[1], like.shape[0]), interpolation=cv2.INTER_AREA)


def _frames(mp4: bytes) -> tuple[list[np.ndarray], float]:
    imageio_ffmpeg = ffmpeg_io.imageio_ffmpeg()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        path.write_bytes(mp4)
        try:
            reader = imageio_ffmpeg.read_frames(str(path))
            meta = next(reader)
            width, height = meta["size"]
            frames = [np.frombuffer(raw, np.uint8).reshape(height, width, 3).copy() for raw in reader]
        except (RuntimeError, OSError, StopIteration, KeyError, ValueError) as exc:
            raise ProviderError(f"the talking-head clip cannot be read: {exc}") from exc
    if not frames:
        raise ProviderError("the talking-head clip has no frames")
    return frames, float(meta.get("fps") or 25.0)


def made_by(made: Generated | Fallback, embedded: str) -> dict[str, str]:
    """Who made an asset, for its provenance record and its row: the adapter, or the embedded
    path with the reason the configured adapter did not make it."""
    if isinstance(made, Generated):
        return {"made_by": made.made_by, "provider": made.provider}
    note = {"made_by": embedded, "provider": "embedded"}
    return note if made.reason is None else {**note, "fallback_reason": made.reason[:300]}
