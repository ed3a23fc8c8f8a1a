"""The generative media interfaces: voice cloning, image edit, face swap, talking head,
image-to-video and text-to-video.

Like those in `engine.providers.base`: batch-friendly, typed pydantic requests and
results, `estimate_cost(request)` per adapter. Images travel as RGB uint8 numpy arrays
(H, W, 3); videos as MP4 bytes. An adapter that cannot do one request (an edit the
embedded OpenCV operations have no version of) raises `ProviderUnavailable` naming
why, so the gateway moves on to the next adapter of the chain.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.providers.base import Adapter, Capability

__all__ = [
    "ClipResult",
    "EditMode",
    "FaceSwapRequest",
    "FaceSwapper",
    "ImageEditRequest",
    "ImageEditResult",
    "ImageEditor",
    "ImageToVideoModel",
    "ImageToVideoRequest",
    "TalkingHeadModel",
    "TalkingHeadRequest",
    "TextToVideoModel",
    "TextToVideoRequest",
    "VoiceCloneRequest",
    "VoiceCloneResult",
    "VoiceCloner",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


def _image_summary(prompt: str, image: Any, limit: int) -> str:
    shape = getattr(image, "shape", None)
    size = f"{shape[1]}x{shape[0]} " if shape is not None and len(shape) >= 2 else ""
    return f"{size}{prompt}"[:limit]


# --- voice cloning ----------------------------------------------------------------


class VoiceCloneRequest(_Frozen):
    wav: bytes = Field(description="A mono WAV sample of the voice, with the speaker's consent.")
    name: str = Field(min_length=1, max_length=80, description="Whose voice, for the provider's records.")

    def summary(self, limit: int = 200) -> str:
        return f"voice sample of {self.name} ({len(self.wav)} bytes)"[:limit]


class VoiceCloneResult(_Frozen):
    voice_id: str = Field(description="The provider's id of the cloned voice, usable as SpeechRequest.voice.")


class VoiceCloner(Adapter):
    capability = Capability.VOICE_CLONE

    @abc.abstractmethod
    def clone(self, requests: Sequence[VoiceCloneRequest]) -> list[VoiceCloneResult]:
        """Register each sample as a voice the provider's speech can use."""


# --- image edit ---------------------------------------------------------------------

EditMode = Literal["instruction", "img2img", "inpaint"]


class ImageEditRequest(_Frozen):
    image: Any = Field(description="RGB uint8 np.ndarray (H, W, 3): the picture to change.")
    prompt: str = Field(min_length=1, max_length=4000, description="What to change, or what to make of it.")
    mode: EditMode = Field("instruction", description="instruction: follow the prompt; img2img: redraw; inpaint: fill the mask.")
    mask: Any = Field(None, description="For inpaint: uint8/bool np.ndarray (H, W), non-zero where to repaint.")
    workflow: str | None = Field(None, description="The intent workflow it came from, e.g. 'hair_styling'.")
    negative_prompt: str = ""
    strength: float = Field(0.6, gt=0.0, le=1.0, description="How far img2img/inpaint may move from the image.")
    steps: int | None = Field(None, ge=1, le=150, description="Denoising steps (default: the adapter's).")
    guidance: float | None = Field(None, ge=0.0, le=30.0)
    seed: int | None = None

    def summary(self, limit: int = 200) -> str:
        return _image_summary(f"{self.mode}: {self.prompt}", self.image, limit)


class ImageEditResult(_Frozen):
    image: Any = Field(description="RGB uint8 np.ndarray (H, W, 3).")
    operations: tuple[str, ...] = Field((), description="What was done, for a person.")
    note: str = ""


class ImageEditor(Adapter):
    """img2img, inpaint and instruction edits; `features` says which modes an adapter has."""

    capability = Capability.IMAGE_EDIT

    @abc.abstractmethod
    def edit(self, requests: Sequence[ImageEditRequest]) -> list[ImageEditResult]:
        """One edited image per request."""


# --- face swap ----------------------------------------------------------------------


class FaceSwapRequest(_Frozen):
    face: Any = Field(description="RGB uint8 np.ndarray with the face to put in.")
    target: Any = Field(description="RGB uint8 np.ndarray to put it into.")

    def summary(self, limit: int = 200) -> str:
        return _image_summary("face swap", self.target, limit)


class FaceSwapper(Adapter):
    capability = Capability.FACE_SWAP

    @abc.abstractmethod
    def swap(self, requests: Sequence[FaceSwapRequest]) -> list[ImageEditResult]:
        """The target with the face swapped in, per request."""


# --- video ------------------------------------------------------------------------


class ClipResult(_Frozen):
    mp4: bytes
    duration_s: float
    width: int
    height: int
    operations: tuple[str, ...] = ()
    note: str = ""


class TalkingHeadRequest(_Frozen):
    image: Any = Field(description="RGB uint8 np.ndarray of a face.")
    audio_wav: bytes = Field(description="What the face says (mono WAV).")
    fps: float = Field(25.0, gt=0, le=60)

    def summary(self, limit: int = 200) -> str:
        return _image_summary(f"talking head, {len(self.audio_wav)} bytes of audio", self.image, limit)


class TalkingHeadModel(Adapter):
    capability = Capability.TALKING_HEAD

    @abc.abstractmethod
    def animate(self, requests: Sequence[TalkingHeadRequest]) -> list[ClipResult]:
        """A video of the face speaking the audio, per request."""


class ImageToVideoRequest(_Frozen):
    image: Any = Field(description="RGB uint8 np.ndarray: the first frame.")
    prompt: str = Field(min_length=1, max_length=4000, description="The motion wanted.")
    seconds: float = Field(4.0, gt=0, le=60)
    fps: float = Field(24.0, gt=0, le=60)
    seed: int | None = None

    def summary(self, limit: int = 200) -> str:
        return _image_summary(self.prompt, self.image, limit)


class ImageToVideoModel(Adapter):
    capability = Capability.IMAGE_TO_VIDEO

    @abc.abstractmethod
    def animate(self, requests: Sequence[ImageToVideoRequest]) -> list[ClipResult]:
        """A clip starting from each image."""


class TextToVideoRequest(_Frozen):
    prompt: str = Field(min_length=1, max_length=4000)
    seconds: float = Field(4.0, gt=0, le=60)
    fps: float = Field(24.0, gt=0, le=60)
    width: int = Field(768, ge=64, le=2048)
    height: int = Field(432, ge=64, le=2048)
    seed: int | None = None

    def summary(self, limit: int = 200) -> str:
        return self.prompt[:limit]


class TextToVideoModel(Adapter):
    capability = Capability.TEXT_TO_VIDEO

    @abc.abstractmethod
    def generate(self, requests: Sequence[TextToVideoRequest]) -> list[ClipResult]:
        """A clip per prompt."""
