"""OpenAI images (generation and edits) and speech, through the official `openai` SDK.

Part of the `openai` provider (registered by `engine.providers.openai_adapter.register`):
`STUDIO_OPENAI_IMAGE_MODEL` (gpt-image-1, dall-e-3, ...) and `STUDIO_OPENAI_SPEECH_MODEL`
(gpt-4o-mini-tts, tts-1, ...), with `STUDIO_OPENAI_API_KEY`, or an OpenAI-compatible
server at `STUDIO_OPENAI_BASE_URL`. The SDK retries 429 and 5xx itself, honouring
retry-after, `STUDIO_PROVIDER_RETRIES` times.
"""

from __future__ import annotations

import base64
import binascii
import io
import wave
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import InvalidRequest, ProviderError, ProviderUnavailable
from engine.providers.base import (
    ImageModel,
    ImageRequest,
    ImageResult,
    SpeechModel,
    SpeechRequest,
    SpeechResult,
)
from engine.providers.catalogue_prices import catalogue_prices
from engine.providers.generative import ImageEditor, ImageEditRequest, ImageEditResult
from engine.providers.media_codec import decode_image, pcm16_to_wav, png_bytes, resized_like
from engine.settings import Settings

if TYPE_CHECKING:
    import openai

__all__ = ["OPENAI_VOICES", "OpenAIImageEditor", "OpenAIImageModel", "OpenAISpeechModel"]

PROVIDER = "openai"
OPENAI_VOICES = ("alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage", "shimmer", "verse")
# The sizes gpt-image models draw, as width / height; other models get the size asked for.
_GPT_IMAGE_SIZES = {"1024x1024": 1.0, "1536x1024": 1.5, "1024x1536": 2 / 3}
_WORDS_PER_MINUTE_AT_SPEED_1 = 175.0


def _media_client(settings: Settings) -> openai.OpenAI:
    from engine.providers.openai_adapter import _client

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    client = _client(key, settings.openai_base_url, settings.provider_timeout_s)
    return client.with_options(max_retries=settings.provider_retries)


def _translate(exc: Exception) -> Exception:
    from engine.providers.openai_adapter import _translate as translate_openai

    return translate_openai(exc, PROVIDER)


class _OpenAIImages:
    def __init__(self, settings: Settings) -> None:
        self._client = _media_client(settings)
        self._model = settings.openai_image_model

    @property
    def model_name(self) -> str:
        return self._model

    def estimate_cost(self, request: Any) -> float:
        return catalogue_prices().image_estimate(PROVIDER, self._model)

    @property
    def _gpt_image(self) -> bool:
        return self._model.startswith("gpt-image")

    def _size(self, width: int | None, height: int | None) -> str | None:
        if not width or not height:
            return None
        if self._gpt_image:
            return min(_GPT_IMAGE_SIZES, key=lambda size: abs(_GPT_IMAGE_SIZES[size] - width / height))
        return f"{width}x{height}"

    def _options(self, size: str | None) -> dict[str, Any]:
        options: dict[str, Any] = {"model": self._model, "n": 1}
        if size:
            options["size"] = size
        if not self._gpt_image:
            options["response_format"] = "b64_json"  # gpt-image models always answer base64 and refuse the option
        return options

    def _picture(self, response: Any) -> tuple[Any, str]:
        data = getattr(response, "data", None)
        if not data or not getattr(data[0], "b64_json", None):
            raise ProviderError(f"openai answered without an image (model {self._model}).")
        try:
            encoded = base64.b64decode(data[0].b64_json, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProviderError("openai sent an image that is not valid base64.") from exc
        return decode_image(encoded, PROVIDER), getattr(data[0], "revised_prompt", None) or ""


class OpenAIImageModel(_OpenAIImages, ImageModel):
    provider = PROVIDER
    local = False
    features = frozenset({"text_to_image"})

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        results = []
        for request in requests:
            prompt = request.prompt + (f"\nAvoid: {request.negative_prompt}" if request.negative_prompt else "")
            try:
                response = self._client.images.generate(prompt=prompt, **self._options(self._size(request.width, request.height)))
            except Exception as exc:
                raise _translate(exc) from exc
            picture, revised = self._picture(response)
            results.append(ImageResult(image=picture, note=f"revised prompt: {revised}"[:500] if revised else ""))
        return results


def _mask_png(mask: Any, shape: tuple[int, ...]) -> bytes:
    """OpenAI's mask: a PNG whose transparent pixels are where to repaint."""
    from PIL import Image

    array = np.asarray(mask)
    if array.shape[:2] != shape[:2]:
        raise InvalidRequest("mask", f"give a mask of the picture's size {shape[1]}x{shape[0]}, not {array.shape[1]}x{array.shape[0]}")
    rgba = np.zeros((*shape[:2], 4), dtype=np.uint8)
    rgba[..., 3] = np.where(array.astype(bool), 0, 255)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


class OpenAIImageEditor(_OpenAIImages, ImageEditor):
    """Instruction edits and inpainting (with a mask) through the images edit endpoint. img2img
    (a redraw at a strength) is not what the endpoint offers: it goes to the next adapter."""

    provider = PROVIDER
    local = False
    features = frozenset({"instruction", "inpaint"})

    def edit(self, requests: Sequence[ImageEditRequest]) -> list[ImageEditResult]:
        results = []
        for request in requests:
            if request.mode not in self.features:
                raise ProviderUnavailable(f"openai edits by instruction or mask, not {request.mode}.")
            image = np.asarray(request.image)
            if request.mode == "inpaint" and request.mask is None:
                raise InvalidRequest("mask", "inpainting needs a mask: non-zero where to repaint")
            options = self._options(self._size(image.shape[1], image.shape[0]))
            if request.mode == "inpaint":
                options["mask"] = ("mask.png", _mask_png(request.mask, image.shape), "image/png")
            try:
                response = self._client.images.edit(
                    image=("image.png", png_bytes(image), "image/png"), prompt=request.prompt, **options
                )
            except Exception as exc:
                raise _translate(exc) from exc
            picture, _ = self._picture(response)
            results.append(
                ImageEditResult(
                    image=resized_like(picture, image), operations=(f"openai {request.mode} edit: {request.prompt[:80]}",)
                )
            )
        return results


def _normalised_wav(data: bytes) -> tuple[bytes, int, float]:
    """A WAV with a truthful header: streamed WAV answers carry a placeholder length."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
            pcm = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ProviderError(f"openai sent audio that is not a WAV file ({len(data)} bytes).") from exc
    if width != 2 or not rate:
        raise ProviderError(f"openai sent {8 * width}-bit audio; the studio expects 16-bit PCM WAV.")
    frames = len(pcm) // (2 * channels)
    return pcm16_to_wav(pcm[: frames * 2 * channels], rate, channels), rate, frames / rate


class OpenAISpeechModel(SpeechModel):
    """OpenAI text-to-speech. A request's `voice` is used when it is an OpenAI voice (alloy,
    nova, ...), else `STUDIO_OPENAI_SPEECH_VOICE`; `rate` (words per minute) sets the speed."""

    provider = PROVIDER
    local = False
    features = frozenset({"wav"})

    def __init__(self, settings: Settings) -> None:
        self._client = _media_client(settings)
        self._model = settings.openai_speech_model
        self._default_voice = settings.openai_speech_voice

    @property
    def model_name(self) -> str:
        return self._model

    def estimate_cost(self, request: SpeechRequest) -> float:
        return 15.0 / 1_000_000 * len(request.text)  # tts-1: $15 per million characters

    def voices(self) -> list[str]:
        return list(OPENAI_VOICES)

    def working_voices(self, candidates: Sequence[str]) -> list[str]:
        return [voice for voice in candidates if voice in OPENAI_VOICES]

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[SpeechResult]:
        results = []
        for request in requests:
            voice = request.voice if request.voice in OPENAI_VOICES else self._default_voice
            speed = min(max(request.rate / _WORDS_PER_MINUTE_AT_SPEED_1, 0.25), 4.0)
            try:
                response = self._client.audio.speech.create(
                    model=self._model, voice=voice, input=request.text, response_format="wav", speed=speed
                )
                data = response.read()
            except Exception as exc:
                raise _translate(exc) from exc
            wav, rate, seconds = _normalised_wav(data)
            results.append(SpeechResult(wav=wav, sample_rate=rate, duration_s=seconds))
        return results
