"""The gateway's per-capability doors: `gateway.text`, `gateway.image_edit`, ...

Each declares the same methods as its adapter interface (plus a `CallContext`), and the
media ones a `*_served` variant that returns `Served` (which adapter answered, its model
and cost).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import (
    Capability,
    FaceDetection,
    ImageRequest,
    ImageResult,
    SpeechRequest,
    SpeechResult,
    TextModel,
    TextRequest,
    TextResult,
    VideoRequest,
    VideoResult,
)
from engine.providers.generative import (
    ClipResult,
    FaceSwapRequest,
    ImageEditRequest,
    ImageEditResult,
    ImageToVideoRequest,
    TalkingHeadRequest,
    TextToVideoRequest,
    VoiceCloneRequest,
    VoiceCloneResult,
)

if TYPE_CHECKING:
    from engine.providers.gateway import CallContext, ModelGateway, Served

__all__ = ["attach_services"]

T = TypeVar("T")


def _batch_summary(items: Sequence[Any]) -> str:
    if not items:
        raise InvalidRequest("requests", "give at least one request")
    first = items[0].summary() if hasattr(items[0], "summary") else str(items[0])[:200]
    return first if len(items) == 1 else f"[{len(items)}] {first}"


class _Service:
    capability: Capability

    def __init__(self, gateway: ModelGateway) -> None:
        self._gateway = gateway

    def chain(self) -> list[str]:
        return self._gateway.registry.chain(self.capability)

    def runnable(self) -> list[str]:
        """Providers that can serve this capability here (configured first)."""
        return self._gateway.runnable(self.capability)

    def _serve(self, method: str, requests: Sequence[Any], context: CallContext | None, **options: Any) -> Served[Any]:
        return self._gateway.serve(
            self.capability,
            lambda adapter: getattr(adapter, method)(requests),
            summary=_batch_summary(requests),
            context=context,
            requests=requests,
            **options,
        )


class TextService(_Service):
    capability = Capability.TEXT

    def generate(self, requests: Sequence[TextRequest], context: CallContext | None = None) -> list[TextResult]:
        return self._serve("generate", requests, context).value

    def stream(self, request: TextRequest, context: CallContext | None = None) -> Iterator[str]:
        return self._gateway.stream(
            self.capability, lambda a: iter(a.stream(request)), summary=request.summary(), context=context,
            request=request,
        )

    def complete(self, prompt: str, *, system: str | None = None, context: CallContext | None = None, **options: Any) -> str:
        return self.generate([TextRequest.from_prompt(prompt, system=system, **options)], context)[0].text

    def with_model(
        self, run: Callable[[TextModel], T], requests: Sequence[Any], context: CallContext | None = None
    ) -> T:
        """`run(adapter)` on the first text adapter that succeeds, for callers that use what the
        adapter can do (its `features`, e.g. CHOOSE) rather than one fixed method."""
        return self._gateway.serve(
            self.capability, run, summary=_batch_summary(requests), context=context, requests=requests
        ).value


class EmbeddingService(_Service):
    capability = Capability.EMBEDDINGS

    def embed(self, texts: Sequence[str], context: CallContext | None = None) -> np.ndarray:
        return self._serve("embed", texts, context).value


class SpeechService(_Service):
    capability = Capability.SPEECH

    def synthesize(self, requests: Sequence[SpeechRequest], context: CallContext | None = None) -> list[SpeechResult]:
        return self._serve("synthesize", requests, context).value

    def synthesize_served(self, requests: Sequence[SpeechRequest], context: CallContext | None = None) -> Served[list[SpeechResult]]:
        """Like `synthesize`, saying which adapter and model spoke (after any fallbacks)."""
        return self._serve("synthesize", requests, context)

    def working_voices(self, candidates: Sequence[str]) -> list[str]:
        """The candidates the first speech adapter that loads can really speak with.

        A set-up check, not a model call: it is not recorded (it would count as usage in the analytics)."""
        failures: list[str] = []
        for provider in self.chain():
            try:
                return list(self._gateway.registry.get(self.capability, provider).working_voices(candidates))
            except Exception as exc:  # noqa: BLE001 - the next adapter may load
                failures.append(f"{provider}: {exc}")
        raise ProviderUnavailable("No speech adapter loads: " + "; ".join(failures))


class VoiceCloneService(_Service):
    capability = Capability.VOICE_CLONE

    def clone(self, requests: Sequence[VoiceCloneRequest], context: CallContext | None = None) -> list[VoiceCloneResult]:
        return self._serve("clone", requests, context).value


def _any_placeholder(results: list[ImageResult]) -> bool:
    return any(r.is_placeholder for r in results)


class ImageService(_Service):
    """Text-to-image."""

    capability = Capability.IMAGE

    def generate(self, requests: Sequence[ImageRequest], context: CallContext | None = None) -> list[ImageResult]:
        return self.generate_served(requests, context).value

    def generate_served(self, requests: Sequence[ImageRequest], context: CallContext | None = None) -> Served[list[ImageResult]]:
        return self._serve("generate", requests, context, is_placeholder=_any_placeholder)


class ImageEditService(_Service):
    capability = Capability.IMAGE_EDIT

    def edit(self, requests: Sequence[ImageEditRequest], context: CallContext | None = None) -> list[ImageEditResult]:
        return self.edit_served(requests, context).value

    def edit_served(self, requests: Sequence[ImageEditRequest], context: CallContext | None = None) -> Served[list[ImageEditResult]]:
        return self._serve("edit", requests, context)


class FaceSwapService(_Service):
    capability = Capability.FACE_SWAP

    def swap(self, requests: Sequence[FaceSwapRequest], context: CallContext | None = None) -> list[ImageEditResult]:
        return self.swap_served(requests, context).value

    def swap_served(self, requests: Sequence[FaceSwapRequest], context: CallContext | None = None) -> Served[list[ImageEditResult]]:
        return self._serve("swap", requests, context)


class TalkingHeadService(_Service):
    capability = Capability.TALKING_HEAD

    def animate(self, requests: Sequence[TalkingHeadRequest], context: CallContext | None = None) -> list[ClipResult]:
        return self.animate_served(requests, context).value

    def animate_served(self, requests: Sequence[TalkingHeadRequest], context: CallContext | None = None) -> Served[list[ClipResult]]:
        return self._serve("animate", requests, context)


class ImageToVideoService(_Service):
    capability = Capability.IMAGE_TO_VIDEO

    def animate(self, requests: Sequence[ImageToVideoRequest], context: CallContext | None = None) -> list[ClipResult]:
        return self.animate_served(requests, context).value

    def animate_served(self, requests: Sequence[ImageToVideoRequest], context: CallContext | None = None) -> Served[list[ClipResult]]:
        return self._serve("animate", requests, context)


class TextToVideoService(_Service):
    capability = Capability.TEXT_TO_VIDEO

    def generate(self, requests: Sequence[TextToVideoRequest], context: CallContext | None = None) -> list[ClipResult]:
        return self.generate_served(requests, context).value

    def generate_served(self, requests: Sequence[TextToVideoRequest], context: CallContext | None = None) -> Served[list[ClipResult]]:
        return self._serve("generate", requests, context)


class VisionService(_Service):
    capability = Capability.VISION

    def detect_faces(self, images: Sequence[np.ndarray], context: CallContext | None = None) -> list[list[FaceDetection]]:
        return self._gateway.call(
            self.capability,
            lambda a: a.detect_faces(images),
            summary=f"{len(images)} image(s)",
            context=context,
            requests=images,
        )


class VideoService(_Service):
    """Encoding frames (and audio) to MP4 — a helper the flows use, not a generative model."""

    capability = Capability.VIDEO

    def render(self, requests: Sequence[VideoRequest], context: CallContext | None = None) -> list[VideoResult]:
        return self._serve("render", requests, context).value


def attach_services(gateway: ModelGateway) -> None:
    """Give the gateway one door per capability."""
    gateway.text = TextService(gateway)
    gateway.embeddings = EmbeddingService(gateway)
    gateway.speech = SpeechService(gateway)
    gateway.voice_clone = VoiceCloneService(gateway)
    gateway.image = ImageService(gateway)
    gateway.image_edit = ImageEditService(gateway)
    gateway.face_swap = FaceSwapService(gateway)
    gateway.talking_head = TalkingHeadService(gateway)
    gateway.image_to_video = ImageToVideoService(gateway)
    gateway.text_to_video = TextToVideoService(gateway)
    gateway.vision = VisionService(gateway)
    gateway.video = VideoService(gateway)
