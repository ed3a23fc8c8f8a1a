"""Small real media files made in the test, as a remote model would return them: PNG, MP4, WAV."""

from __future__ import annotations

import io
import tempfile
import wave
from pathlib import Path

import numpy as np


def png_bytes(width: int = 48, height: int = 32, colour: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def mp4_bytes(seconds: float = 1.0, fps: int = 10, width: int = 64, height: int = 48) -> bytes:
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        writer = imageio_ffmpeg.write_frames(str(path), (width, height), fps=fps, macro_block_size=16)
        writer.send(None)
        for i in range(int(seconds * fps)):
            writer.send(np.full((height, width, 3), (i * 20) % 255, np.uint8).tobytes())
        writer.close()
        return path.read_bytes()


def wav_bytes(seconds: float = 0.5, rate: int = 16000, channels: int = 1) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    samples = np.repeat(tone[:, None], channels, axis=1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()
