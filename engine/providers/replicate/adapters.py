"""One adapter per capability over Replicate models; models.yaml says which model runs what.

A call runs the catalogue model the caller chose (`CallContext.model`) when it serves the
capability, else the capability's default. A batch runs as concurrent predictions, each
reporting its own progress. What each prediction actually cost (from its outputs and the
catalogue price), how long Replicate says it ran and its id go to the call's record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any, TypeVar

import numpy as np

from engine.providers.base import (
    Adapter,
    ImageModel,
    ImageRequest,
    ImageResult,
    SpeechModel,
    SpeechRequest,
    SpeechResult,
)
from engine.providers.calls import charge, chosen_model
from engine.providers.generative import (
    ClipResult,
    FaceSwapper,
    FaceSwapRequest,
    ImageEditor,
    ImageEditRequest,
    ImageEditResult,
    ImageToVideoModel,
    ImageToVideoRequest,
    TalkingHeadModel,
    TalkingHeadRequest,
    TextToVideoModel,
    TextToVideoRequest,
    VoiceCloner,
    VoiceCloneRequest,
    VoiceCloneResult,
)
from engine.providers.progress import report
from engine.providers.replicate import media
from engine.providers.replicate.mapping import ReplicateModel, ReplicateModels
from engine.providers.replicate.predictions import Finished, PredictionRunner

__all__ = [
    "PROVIDER",
    "ReplicateFaceSwapper",
    "ReplicateImageEditor",
    "ReplicateImageModel",
    "ReplicateImageToVideo",
    "ReplicateSpeech",
    "ReplicateTalkingHead",
    "ReplicateTextToVideo",
    "ReplicateVoiceCloner",
]

PROVIDER = "replicate"
MAX_CONCURRENT_PREDICTIONS = 8
R = TypeVar("R")


class _Replicate(Adapter):
    provider = PROVIDER
    local = False

    def __init__(self, runner: PredictionRunner, models: ReplicateModels, default: str | None = None) -> None:
        self._runner = runner
        self._models = models
        self._default = default

    def close(self) -> None:
        self._runner.close()  # shared by the capabilities' adapters; closing twice is harmless

    def _pick(self, mode: str | None = None) -> ReplicateModel:
        return self._models.pick(self.capability, chosen_model(), self._default, mode)

    @property
    def model_name(self) -> str:
        return self._pick().model_id

    def circuit(self) -> str:
        return self._pick().model_id  # one breaker per model: one model down leaves the others up

    def estimate_cost(self, request: Any) -> float:
        price = self._models.price(self._pick(getattr(request, "mode", None)).model_id)
        return round(price.estimate(request, self._models.video_seconds), 6) if price else 0.0

    def _each(self, requests: Sequence[Any], one: Callable[[int, Any], R]) -> list[R]:
        """`one(index, request)` per request, as concurrent predictions (each in a copy of this context,
        so progress, cancellation and metering reach it)."""
        if len(requests) == 1:
            return [one(0, requests[0])]
        with ThreadPoolExecutor(max_workers=min(len(requests), MAX_CONCURRENT_PREDICTIONS)) as pool:
            futures = [pool.submit(copy_context().run, one, index, request) for index, request in enumerate(requests)]
            return [future.result() for future in futures]

    def _predict(self, index: int, request: Any, mode: str | None = None) -> tuple[ReplicateModel, Finished]:
        model = self._pick(mode)
        return model, self._runner.predict(model.model_id, model.build_input(request), index)

    def _charge(self, model: ReplicateModel, finished: Finished, request: Any, outputs: int = 1,
                duration_s: float | None = None) -> None:  # fmt: skip
        price = self._models.price(model.model_id)
        cost = price.actual(request, outputs, duration_s) if price else None
        charge(cost, finished.predict_seconds, finished.id, model.model_id)

    def _file(self, model: ReplicateModel, finished: Finished) -> bytes:
        return self._runner.download(media.output_urls(model.model_id, finished.output)[0])

    def _image(self, index: int, request: Any, mode: str | None = None) -> tuple[ReplicateModel, Any]:
        model, finished = self._predict(index, request, mode)
        image = media.read_image(model.model_id, self._file(model, finished))
        self._charge(model, finished, request)
        report(index, 1.0, f"{model.model_id}: done")
        return model, image

    def _clip(self, index: int, request: Any) -> ClipResult:
        model, finished = self._predict(index, request)
        mp4 = self._file(model, finished)
        duration, width, height = media.read_clip(model.model_id, mp4)
        self._charge(model, finished, request, duration_s=duration)
        report(index, 1.0, f"{model.model_id}: done")
        return ClipResult(mp4=mp4, duration_s=duration, width=width, height=height,
                          operations=(f"{self.capability.label} ({model.model_id} on Replicate)",))  # fmt: skip


class ReplicateImageModel(_Replicate, ImageModel):
    features = frozenset({"seed", "remote", "progress", "cancel"})

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        def one(index: int, request: ImageRequest) -> ImageResult:
            model, image = self._image(index, request)
            return ImageResult(image=image, note=f"made by {model.model_id} on Replicate")

        return self._each(requests, one)


class ReplicateImageEditor(_Replicate, ImageEditor):
    features = frozenset({"instruction", "img2img", "inpaint", "remote", "progress", "cancel"})

    def edit(self, requests: Sequence[ImageEditRequest]) -> list[ImageEditResult]:
        def one(index: int, request: ImageEditRequest) -> ImageEditResult:
            model, image = self._image(index, request, request.mode)
            return ImageEditResult(image=np.asarray(image), operations=(f"{request.mode} ({model.model_id} on Replicate)",))

        return self._each(requests, one)


class ReplicateFaceSwapper(_Replicate, FaceSwapper):
    features = frozenset({"remote", "progress", "cancel"})

    def swap(self, requests: Sequence[FaceSwapRequest]) -> list[ImageEditResult]:
        def one(index: int, request: FaceSwapRequest) -> ImageEditResult:
            model, image = self._image(index, request)
            return ImageEditResult(image=np.asarray(image), operations=(f"face swap ({model.model_id} on Replicate)",))

        return self._each(requests, one)


class ReplicateTalkingHead(_Replicate, TalkingHeadModel):
    features = frozenset({"remote", "progress", "cancel"})

    def animate(self, requests: Sequence[TalkingHeadRequest]) -> list[ClipResult]:
        return self._each(requests, self._clip)


class ReplicateImageToVideo(_Replicate, ImageToVideoModel):
    features = frozenset({"remote", "progress", "cancel"})

    def animate(self, requests: Sequence[ImageToVideoRequest]) -> list[ClipResult]:
        return self._each(requests, self._clip)


class ReplicateTextToVideo(_Replicate, TextToVideoModel):
    features = frozenset({"remote", "progress", "cancel"})

    def generate(self, requests: Sequence[TextToVideoRequest]) -> list[ClipResult]:
        return self._each(requests, self._clip)


class ReplicateSpeech(_Replicate, SpeechModel):
    """Speech from a Replicate TTS model; a voice id from `ReplicateVoiceCloner` speaks in the cloned voice."""

    features = frozenset({"remote", "cloned_voices"})

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[SpeechResult]:
        def one(index: int, request: SpeechRequest) -> SpeechResult:
            model, finished = self._predict(index, request)
            wav, rate, seconds = media.read_wav(model.model_id, self._file(model, finished))
            self._charge(model, finished, request)
            return SpeechResult(wav=wav, sample_rate=rate, duration_s=seconds)

        return self._each(requests, one)

    def working_voices(self, candidates: Sequence[str]) -> list[str]:
        return list(candidates)  # eSpeak codes fall back to the model's default voice; ids pass through


class ReplicateVoiceCloner(_Replicate, VoiceCloner):
    features = frozenset({"remote"})

    def clone(self, requests: Sequence[VoiceCloneRequest]) -> list[VoiceCloneResult]:
        def one(index: int, request: VoiceCloneRequest) -> VoiceCloneResult:
            model, finished = self._predict(index, request)
            key = model.output.partition(":")[2] or "voice_id"
            voice_id = media.read_text(model.model_id, finished.output, key)
            self._charge(model, finished, request)
            return VoiceCloneResult(voice_id=voice_id)

        return self._each(requests, one)
