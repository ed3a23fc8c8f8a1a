"""One small interface per capability. Adapters implement these; nothing else talks to models.

Every interface is batch-friendly (a sequence of requests in, a list of results out),
every adapter declares what it can do in `features` and what one request costs
(`estimate_cost(request)`), and every adapter is built for one device by the factory
its plugin registers (`factory(settings, device)`), so the queue's placement reaches
the model. This module holds the shared base and the text, embeddings, speech,
text-to-image, vision and video-encoding interfaces; the generative media ones (voice
cloning, image edit, face swap, talking head, image-to-video, text-to-video) are in
`engine.providers.generative`.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from engine.errors import ProviderUnavailable

__all__ = [
    "CHOOSE",
    "Adapter",
    "Capability",
    "ChatMessage",
    "ChoiceRequest",
    "ChoiceResult",
    "Embedder",
    "FaceDetection",
    "ImageModel",
    "ImageRequest",
    "ImageResult",
    "SpeechModel",
    "SpeechRequest",
    "SpeechResult",
    "TextModel",
    "TextRequest",
    "TextResult",
    "VideoModel",
    "VideoRequest",
    "VideoResult",
    "VisionModel",
]


class Capability(str, enum.Enum):
    """What an adapter can do. The value names its setting: `STUDIO_<VALUE>_PROVIDER`."""

    TEXT = "text"
    EMBEDDINGS = "embeddings"
    IMAGE = "image"  # text-to-image
    TEXT_TO_IMAGE = "image"  # alias of IMAGE, the name the intent catalogue thinks in
    VIDEO = "video"  # encoding frames (+ audio) to MP4: a helper, not a generative model
    SPEECH = "speech"
    VISION = "vision"
    VOICE_CLONE = "voice_clone"
    IMAGE_EDIT = "image_edit"
    FACE_SWAP = "face_swap"
    TALKING_HEAD = "talking_head"
    IMAGE_TO_VIDEO = "image_to_video"
    TEXT_TO_VIDEO = "text_to_video"

    @property
    def label(self) -> str:
        return {"image": "text-to-image", "video": "video encoding"}.get(self.value, self.value.replace("_", " "))


class Adapter(abc.ABC):
    """What every adapter declares. Subclasses set the class variables."""

    capability: ClassVar[Capability]
    provider: ClassVar[str]
    features: ClassVar[frozenset[str]] = frozenset()
    local: ClassVar[bool] = True

    @property
    @abc.abstractmethod
    def model_name(self) -> str:
        """The model this adapter runs, as it should appear in records."""

    def estimate_cost(self, request: Any) -> float:
        """Estimated cost in USD of one request of this capability (0 for local models)."""
        return 0.0

    def circuit(self) -> str | None:
        """A finer circuit breaker within the provider for this call (the model, for adapters that
        serve several; read during the call, so `calls.chosen_model()` is set), or None: one
        breaker for the whole provider."""
        return None

    def close(self) -> None:
        """Release models or connections."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


# --- text -------------------------------------------------------------------


class ChatMessage(_Frozen):
    role: Literal["system", "user", "assistant"]
    content: str


class TextRequest(_Frozen):
    messages: tuple[ChatMessage, ...]
    max_new_tokens: int = Field(256, ge=1, le=8192)
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(0.9, gt=0.0, le=1.0)
    stop: tuple[str, ...] = ()
    json_mode: bool = False
    seed: int | None = None

    @classmethod
    def from_prompt(cls, prompt: str, system: str | None = None, **options: Any) -> TextRequest:
        messages = [ChatMessage(role="system", content=system)] if system else []
        messages.append(ChatMessage(role="user", content=prompt))
        return cls(messages=tuple(messages), **options)

    def summary(self, limit: int = 200) -> str:
        return self.messages[-1].content[:limit]


class TextResult(_Frozen):
    text: str
    tokens: int
    finish_reason: str = "stop"


class ChoiceRequest(_Frozen):
    """Which context makes `text` most likely? One context per choice, as plain text (no chat template).

    Scoring the text under each choice's context (a description and examples of it) suits small
    models far better than asking them to name a choice."""

    contexts: tuple[str, ...] = Field(min_length=2)
    text: str = Field(min_length=1)

    def summary(self, limit: int = 200) -> str:
        return self.text[:limit]


class ChoiceResult(_Frozen):
    """log p(text | context) for each context, in the request's order."""

    log_probs: tuple[float, ...]


# A text adapter whose `features` include CHOOSE scores choices by likelihood (`TextModel.choose`).
CHOOSE = "choose"


class TextModel(Adapter):
    capability = Capability.TEXT

    @abc.abstractmethod
    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        """Complete each request."""

    @abc.abstractmethod
    def stream(self, request: TextRequest) -> Iterator[str]:
        """Yield text pieces as the model produces them."""

    def choose(self, requests: Sequence[ChoiceRequest]) -> list[ChoiceResult]:
        """Score each request's text under each of its contexts; only adapters with the CHOOSE feature can."""
        raise ProviderUnavailable(f"{self.provider} cannot score choices; ask it to generate an answer instead")


# --- embeddings ---------------------------------------------------------------


class Embedder(Adapter):
    capability = Capability.EMBEDDINGS

    @property
    @abc.abstractmethod
    def dimension(self) -> int:
        """Length of one embedding vector."""

    @abc.abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dimension), rows L2-normalised."""


# --- speech -----------------------------------------------------------------


class SpeechRequest(_Frozen):
    text: str = Field(min_length=1, max_length=20_000)
    voice: str = "en-us"
    pitch: int = Field(50, ge=0, le=99, description="Base pitch, 0-99.")
    rate: int = Field(175, ge=80, le=450, description="Words per minute.")
    variant: str | None = Field(None, description="Voice variant, e.g. 'f2', 'm3', 'klatt'.")
    pitch_range: int = Field(50, ge=0, le=99)
    volume: int = Field(100, ge=0, le=200)

    def summary(self, limit: int = 200) -> str:
        return self.text[:limit]


class SpeechResult(_Frozen):
    wav: bytes
    sample_rate: int
    duration_s: float


class SpeechModel(Adapter):
    capability = Capability.SPEECH

    @abc.abstractmethod
    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[SpeechResult]:
        """Speak each request to a WAV (mono, 16-bit PCM)."""

    def voices(self) -> list[str]:
        return []

    def working_voices(self, candidates: Sequence[str]) -> list[str]:
        """The candidates this adapter can speak with, in their order (default: those in `voices()`,
        or all of them when the adapter lists none)."""
        known = set(self.voices())
        return [voice for voice in candidates if not known or voice in known]


# --- images -----------------------------------------------------------------


class ImageRequest(_Frozen):
    prompt: str = Field(min_length=1, max_length=4000)
    negative_prompt: str = ""
    width: int | None = Field(None, ge=64, le=2048, description="None: the adapter's default size.")
    height: int | None = Field(None, ge=64, le=2048)
    steps: int | None = Field(None, ge=1, le=150, description="Denoising steps; None: the adapter's default.")
    guidance: float | None = Field(None, ge=0.0, le=30.0, description="None: the adapter's default.")
    seed: int | None = None
    title: str | None = Field(None, description="Short scene title, shown on storyboard cards.")

    def summary(self, limit: int = 200) -> str:
        return self.prompt[:limit]

    def batch_key(self, provider: str) -> str:
        """Requests with equal keys can share one batched model call (same model, same parameters)."""
        return "|".join(
            str(part) for part in (provider, self.width, self.height, self.steps, self.guidance, self.negative_prompt)
        )


class ImageResult(_Frozen):
    image: Any = Field(description="A PIL.Image.Image in RGB.")
    png: bytes | None = Field(None, description="The same image as PNG when the adapter has it encoded already "
                                                "(stored as is, not encoded again); see `png_of`.")
    is_placeholder: bool = Field(False, description="True when no image model made it (a labelled stand-in).")
    note: str = ""


class ImageModel(Adapter):
    """Text-to-image. Adapters without real weights set `is_placeholder` on results."""

    capability = Capability.IMAGE

    @abc.abstractmethod
    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        """Make one image per request."""


# --- vision (faces) ------------------------------------------------------------


class FaceDetection(_Frozen):
    box: tuple[int, int, int, int] = Field(description="x, y, width, height in pixels.")
    score: float
    landmarks: Any = Field(None, description="np.ndarray (N, 2) float32 pixel coordinates, or None.")


class VisionModel(Adapter):
    capability = Capability.VISION

    @abc.abstractmethod
    def detect_faces(self, images: Sequence[np.ndarray]) -> list[list[FaceDetection]]:
        """Faces in each RGB uint8 image, with dense landmarks where the model gives them."""


# --- video ------------------------------------------------------------------


class VideoRequest(_Frozen):
    frames: Any = Field(description="Sequence of RGB uint8 arrays, all the same (even) size.")
    fps: float = Field(24.0, gt=0, le=120)
    audio_wav: bytes | None = None

    def summary(self, limit: int = 200) -> str:
        return f"{len(self.frames)} frames at {self.fps} fps" + (" with audio" if self.audio_wav else "")


class VideoResult(_Frozen):
    mp4: bytes
    duration_s: float
    width: int
    height: int


class VideoModel(Adapter):
    capability = Capability.VIDEO

    @abc.abstractmethod
    def render(self, requests: Sequence[VideoRequest]) -> list[VideoResult]:
        """Encode frames (and audio) to H.264/AAC MP4."""
