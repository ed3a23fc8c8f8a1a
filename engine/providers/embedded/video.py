"""Frames (and a WAV) to H.264/AAC MP4 with the static ffmpeg bundled in `imageio-ffmpeg`."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import InvalidRequest, ProviderError, ProviderUnavailable
from engine.providers import ffmpeg_io
from engine.providers.base import VideoModel, VideoRequest, VideoResult
from engine.settings import Settings

__all__ = ["EmbeddedVideoModel", "ffmpeg_exe"]

INSTALL_HINT = "package imageio-ffmpeg is not installed: run make install"
TIMEOUT_S = 300


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in imageio-ffmpeg."""
    if importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ProviderUnavailable(INSTALL_HINT)
    imageio_ffmpeg = ffmpeg_io.imageio_ffmpeg()

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise ProviderUnavailable(f"imageio-ffmpeg has no ffmpeg binary: {exc}") from exc


class EmbeddedVideoModel(VideoModel):
    """libx264 (yuv420p, +faststart) and AAC; frames must share one even width and height."""

    provider = "embedded"
    features = frozenset({"h264", "aac", "batch"})

    def __init__(self, settings: Settings) -> None:
        self._ffmpeg = ffmpeg_exe()

    @property
    def model_name(self) -> str:
        return "ffmpeg libx264/aac"

    def render(self, requests: Sequence[VideoRequest]) -> list[VideoResult]:
        checked = [_check(request, i) for i, request in enumerate(requests)]
        return [self._render(request, frames) for request, frames in zip(requests, checked, strict=True)]

    def _render(self, request: VideoRequest, frames: list[np.ndarray]) -> VideoResult:
        height, width = frames[0].shape[:2]
        with tempfile.TemporaryDirectory(prefix="studio-video-") as tmp:
            out = Path(tmp) / "out.mp4"
            command = [
                self._ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{request.fps}",
                "-i", "pipe:0",
            ]  # fmt: skip
            if request.audio_wav:
                audio = Path(tmp) / "audio.wav"
                audio.write_bytes(request.audio_wav)
                command += ["-i", str(audio), "-c:a", "aac", "-b:a", "128k"]
            command += [
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", str(out),
            ]  # fmt: skip
            try:
                done = subprocess.run(
                    command,
                    input=b"".join(f.tobytes() for f in frames),
                    capture_output=True,
                    timeout=TIMEOUT_S,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ProviderError(f"ffmpeg could not run: {exc}") from exc
            if done.returncode != 0:
                raise ProviderError(f"ffmpeg failed: {done.stderr.decode(errors='replace').strip()[-500:]}")
            mp4 = out.read_bytes()
        duration = len(frames) / request.fps
        if request.audio_wav:
            duration = max(duration, _wav_seconds(request.audio_wav))
        return VideoResult(mp4=mp4, duration_s=duration, width=width, height=height)


def _check(request: VideoRequest, index: int) -> list[np.ndarray]:
    """Validate before any work. Odd sizes are refused, not padded: H.264 4:2:0 needs even ones."""
    name = f"requests[{index}].frames"
    frames: list[Any] = list(request.frames) if request.frames is not None else []
    if not frames:
        raise InvalidRequest(name, "needs at least one frame")
    first = frames[0]
    for i, frame in enumerate(frames):
        if (
            not isinstance(frame, np.ndarray)
            or frame.dtype != np.uint8
            or frame.ndim != 3
            or frame.shape[2] != 3
        ):
            got = f"{frame.dtype} {frame.shape}" if isinstance(frame, np.ndarray) else type(frame).__name__
            raise InvalidRequest(f"{name}[{i}]", f"must be an RGB uint8 array (H, W, 3), got {got}")
        if frame.shape != first.shape:
            size, expected = f"{frame.shape[1]}x{frame.shape[0]}", f"{first.shape[1]}x{first.shape[0]}"
            raise InvalidRequest(
                f"{name}[{i}]",
                f"size {size} differs from frame 0's {expected}; resize every frame to one size",
            )
    height, width = first.shape[:2]
    if width % 2 or height % 2:
        raise InvalidRequest(
            name, f"size {width}x{height} must be even for H.264; crop or pad to an even size"
        )
    if request.audio_wav:
        _wav_seconds(request.audio_wav, f"requests[{index}].audio_wav")
    return [np.ascontiguousarray(f) for f in frames]


def _wav_seconds(data: bytes, name: str = "audio_wav") -> float:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError) as exc:
        raise InvalidRequest(name, f"is not a readable WAV file ({exc}); pass PCM WAV bytes") from exc
