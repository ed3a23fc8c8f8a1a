"""Reading what a Replicate model returned: images, MP4 clips and audio, checked as they come in.

Anything that is not what the model's entry says it returns raises `ProviderError`
("malformed output"), so the gateway records it and moves on to the next adapter.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any

from engine.errors import ProviderError
from engine.providers import ffmpeg_io

__all__ = ["output_urls", "read_clip", "read_image", "read_text", "read_wav"]


def _malformed(model: str, what: str) -> ProviderError:
    return ProviderError(f"{model} returned a malformed output: {what}")


def output_urls(model: str, output: Any) -> list[str]:
    """The file URLs of an output: one URL, or a list of them."""
    urls = [output] if isinstance(output, str) else output
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u for u in urls):
        raise _malformed(model, f"expected a file URL or a list of them, got {type(output).__name__}")
    return urls


def read_text(model: str, output: Any, key: str) -> str:
    value = output.get(key) if isinstance(output, dict) else None
    if not isinstance(value, str) or not value:
        raise _malformed(model, f"expected an object with a {key!r} text")
    return value


def read_image(model: str, data: bytes) -> Any:
    """A PIL image in RGB."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise _malformed(model, "the file is not an image") from exc
    return image.convert("RGB")


def _ffmpeg() -> str:
    imageio_ffmpeg = ffmpeg_io.imageio_ffmpeg()

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def read_clip(model: str, data: bytes) -> tuple[float, int, int]:
    """(duration in seconds, width, height) of an MP4 clip."""
    imageio_ffmpeg = ffmpeg_io.imageio_ffmpeg()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        path.write_bytes(data)
        try:
            reader = imageio_ffmpeg.read_frames(str(path))
            meta = next(reader)
            reader.close()
        except (RuntimeError, OSError, StopIteration) as exc:
            raise _malformed(model, "the file is not a video") from exc
    width, height = meta.get("size") or (0, 0)
    duration = float(meta.get("duration") or 0.0)
    if not width or not height or duration <= 0:
        raise _malformed(model, "the video has no frames")
    return duration, int(width), int(height)


def _pcm16_mono(data: bytes) -> tuple[bytes, int, float] | None:
    try:
        with wave.open(io.BytesIO(data)) as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                return None
            rate, frames = w.getframerate(), w.getnframes()
    except (wave.Error, EOFError):
        return None
    return data, rate, frames / rate if rate else 0.0


def read_wav(model: str, data: bytes) -> tuple[bytes, int, float]:
    """(mono 16-bit WAV, sample rate, seconds): WAV kept as it is, other audio (MP3, FLAC) converted."""
    found = _pcm16_mono(data)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "audio.bin", Path(folder) / "audio.wav"
        source.write_bytes(data)
        done = subprocess.run(
            [_ffmpeg(), "-v", "error", "-i", str(source), "-ac", "1", "-c:a", "pcm_s16le", str(target)],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
        found = _pcm16_mono(target.read_bytes()) if done.returncode == 0 and target.exists() else None
    if found is None or found[2] <= 0:
        raise _malformed(model, "the file is not audio")
    return found
