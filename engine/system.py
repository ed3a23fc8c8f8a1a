"""What the System tab and `studio models` show: adapters, devices, queue, recent calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from engine.errors import NotFound, StudioError
from engine.ownership import Owner
from engine.providers.base import Capability, ImageRequest, SpeechRequest, TextRequest, VideoRequest
from engine.providers.generative import FaceSwapRequest, TalkingHeadRequest
from engine.providers.media_codec import pcm16_to_wav
from storage.generations import GenerationRecord

SAMPLE_FACE = Path(__file__).resolve().parents[1] / "assets" / "samples" / "face.jpg"

if TYPE_CHECKING:
    from engine.providers.gateway import ModelGateway
    from engine.providers.registry import ProviderRegistry
    from engine.queue import GenerationQueue
    from engine.resilience import Resilience
    from storage.generations import GenerationLog

__all__ = ["DeviceRow", "JobRow", "ProviderRow", "SmokeResult", "SystemService", "SystemStatus"]


class ProviderRow(BaseModel):
    capability: str
    provider: str
    description: str
    available: bool
    reason: str
    configured: bool
    loaded: bool


class DeviceRow(BaseModel):
    name: str
    kind: str
    slots: int
    running: int


class SmokeResult(BaseModel):
    capability: str
    provider: str
    ok: bool
    seconds: float
    detail: str


class JobRow(BaseModel):
    id: str
    kind: str
    priority: str
    status: str
    attempts: int
    progress: float
    device: str | None
    error: str | None


class SystemStatus(BaseModel):
    providers: list[ProviderRow]
    devices: list[DeviceRow]
    queue_counts: dict[str, int]
    recent: list[GenerationRecord]
    jobs: list[JobRow]
    resilience_mode: str = "memory"
    notices: list[str] = []


def _sample_face() -> np.ndarray:
    from PIL import Image

    with Image.open(SAMPLE_FACE) as picture:
        return np.asarray(picture.convert("RGB"))


def _smoke_face_swap(models: Any) -> str:
    face = _sample_face()
    return models.face_swap.swap([FaceSwapRequest(face=face, target=face)])[0].operations[0]


def _smoke_talking_head(models: Any) -> str:
    silence = pcm16_to_wav(np.zeros(8000, dtype="<i2").tobytes(), 16000)
    clip = models.talking_head.animate([TalkingHeadRequest(image=_sample_face(), audio_wav=silence)])[0]
    return f"{len(clip.mp4)} bytes of MP4, {clip.duration_s:.2f} s"


def _smoke_checks() -> dict[Capability, Callable[[Any], str]]:
    """One tiny real call per capability; each returns a line describing the output."""
    frame = np.zeros((64, 64, 3), dtype=np.uint8)
    return {
        Capability.FACE_SWAP: _smoke_face_swap,
        Capability.TALKING_HEAD: _smoke_talking_head,
        Capability.TEXT: lambda m: repr(
            m.text.generate([TextRequest.from_prompt("Say hello.", max_new_tokens=8, temperature=0)])[0].text[:40]
        ),
        Capability.EMBEDDINGS: lambda m: f"{m.embeddings.embed(['hello world']).shape[1]}-d vector",
        Capability.SPEECH: lambda m: f"{m.speech.synthesize([SpeechRequest(text='Hello.')])[0].duration_s:.2f} s of audio",
        Capability.IMAGE: lambda m: (
            "placeholder card" if m.image.generate([ImageRequest(prompt="a test card")])[0].is_placeholder else "image"
        ),
        Capability.VISION: lambda m: f"{len(m.vision.detect_faces([frame])[0])} faces on a blank frame",
        Capability.VIDEO: lambda m: f"{len(m.video.render([VideoRequest(frames=[frame] * 12, fps=12)])[0].mp4)} bytes of MP4",
    }


class SystemService:
    def __init__(self, *, registry: ProviderRegistry, models: ModelGateway, queue: GenerationQueue,
                 generations: GenerationLog, resilience: Resilience) -> None:  # fmt: skip
        self._registry = registry
        self._models = models
        self._queue = queue
        self._generations = generations
        self._resilience = resilience

    def providers(self) -> list[ProviderRow]:
        """Every adapter of every capability; a capability with none registered gets a row saying so."""
        registry = self._registry
        rows = [
            ProviderRow(
                capability=s.capability.value,
                provider=s.provider,
                description=s.description,
                available=s.available,
                reason=s.reason,
                configured=s.configured,
                loaded=s.loaded,
            )
            for s in registry.statuses()
        ]
        for capability in Capability:
            if not registry.providers_for(capability):
                rows.append(ProviderRow(
                    capability=capability.value, provider="-", description=f"no {capability.label} adapter",
                    available=False, configured=False, loaded=False,
                    reason=f"no {capability.label} adapter is registered (install a provider plugin, then set "
                           f"STUDIO_{capability.value.upper()}_PROVIDER)",
                ))  # fmt: skip
        return rows

    def devices(self) -> list[DeviceRow]:
        return [
            DeviceRow(name=device.name, kind=device.kind, slots=device.slots, running=running)
            for device, running in self._queue.device_loads()
        ]

    def status(self, recent: int = 25, *, owner: Owner) -> SystemStatus:
        """Adapters, devices and queue depth; the model calls and jobs of `owner` (an admin: everybody's)."""
        return SystemStatus(
            providers=self.providers(),
            devices=self.devices(),
            queue_counts=self._queue.counts(),
            recent=self._generations.recent(recent, owner=None if owner.admin else owner.id),
            jobs=self.jobs(recent, owner=owner),
            resilience_mode=self._resilience.mode(),
            notices=self._resilience.notices(),
        )

    def jobs(self, limit: int = 25, *, owner: Owner) -> list[JobRow]:
        """The newest jobs of `owner` (an admin: everybody's); rows carry no owner id."""
        return [
            JobRow(
                id=job.id,
                kind=job.kind,
                priority=job.priority.name.lower(),
                status=job.status.value,
                attempts=job.attempts,
                progress=round(job.progress, 2),
                device=job.device,
                error=job.error,
            )
            for job in self._queue.list_jobs(limit=limit, owner=None if owner.admin else owner.id)
        ]

    def cancel_job(self, job_id: str, *, owner: Owner) -> JobRow:
        """Cancel one of the owner's jobs (an admin: anybody's); `NotFound` alike for unknown and not yours."""
        job_id = job_id.strip()
        try:
            job = self._queue.get(job_id)
        except NotFound:
            raise NotFound(f"No job with id {job_id!r}.") from None
        if not owner.may_read(job.user_id):
            raise NotFound(f"No job with id {job_id!r}.")
        cancelled = self._queue.cancel(job_id)
        return JobRow(id=cancelled.id, kind=cancelled.kind, priority=cancelled.priority.name.lower(),
                      status=cancelled.status.value, attempts=cancelled.attempts, progress=round(cancelled.progress, 2),
                      device=cancelled.device, error=cancelled.error)  # fmt: skip

    def smoke_test(self, capabilities: list[Capability] | None = None) -> list[SmokeResult]:
        """Run one tiny real call on each configured capability's chain."""
        results = []
        for capability, check in _smoke_checks().items():
            if capabilities and capability not in capabilities:
                continue
            chain = self._registry.chain(capability)
            if not chain:
                continue
            provider = chain[0]
            started = time.perf_counter()
            try:
                detail, ok = check(self._models), True
            except StudioError as exc:
                detail, ok = exc.user_message, False
            results.append(
                SmokeResult(
                    capability=capability.value,
                    provider=provider,
                    ok=ok,
                    seconds=round(time.perf_counter() - started, 3),
                    detail=detail,
                )
            )
        return results
