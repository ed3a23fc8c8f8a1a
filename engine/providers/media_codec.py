"""Pictures and sound in and out of the bytes remote APIs send and receive.

An answer that does not decode is the provider's fault: `ProviderError` naming it.
"""

from __future__ import annotations

import io
import wave
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import InvalidRequest, ProviderError

if TYPE_CHECKING:
    from engine.providers.base import ImageResult

__all__ = ["decode_image", "pcm16_to_wav", "png_bytes", "png_of", "resized_like"]


def png_bytes(image: Any, field: str = "image") -> bytes:
    """PNG of an RGB uint8 array (H, W, 3) or a PIL image."""
    from PIL import Image

    if isinstance(image, Image.Image):
        picture = image.convert("RGB")
    else:
        array = np.asarray(image)
        if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
            raise InvalidRequest(field, f"give an RGB uint8 picture of shape (H, W, 3), not {array.dtype} {array.shape}")
        picture = Image.fromarray(array, "RGB")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def png_of(result: ImageResult) -> bytes:
    """The PNG to store for a generated image: the adapter's own encoding when it has one."""
    return result.png if result.png is not None else png_bytes(result.image)


def decode_image(data: bytes, provider: str) -> Any:
    """A PIL RGB image from encoded bytes (PNG, JPEG, WebP)."""
    from PIL import Image, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProviderError(f"{provider} sent an image that does not decode ({len(data)} bytes).") from exc
    return picture.convert("RGB")


def resized_like(picture: Any, like: Any) -> np.ndarray:
    """An edited PIL picture as an RGB array the size of the original array `like`
    (remote models draw at their own sizes; an edit keeps the picture's)."""
    from PIL import Image

    height, width = np.asarray(like).shape[:2]
    if picture.size != (width, height):
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(picture.convert("RGB"))


def pcm16_to_wav(pcm: bytes, sample_rate: int, channels: int = 1) -> bytes:
    """Wrap raw little-endian 16-bit PCM in a WAV header."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm)
    return buffer.getvalue()
