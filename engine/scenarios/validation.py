"""Checks of the onboarding photo and voice sample, before any work and before anything is stored.

Each refusal is an `InvalidRequest` naming the field and saying what to do instead.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import InvalidRequest, ProviderError
from engine.imaging import read_image

__all__ = [
    "MAX_PHOTO_BYTES",
    "MAX_VOICE_BYTES",
    "MAX_VOICE_S",
    "MIN_VOICE_S",
    "CheckedPhoto",
    "CheckedVoice",
    "check_faces",
    "check_photo_bytes",
    "check_voice",
    "decode_audio",
    "sniff_image",
    "wav_bytes",
]

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_VOICE_BYTES = 25 * 1024 * 1024
MIN_VOICE_S, MAX_VOICE_S = 3.0, 60.0
MIN_LOUDNESS_DB = -45.0  # RMS of the voiced part, dBFS; quieter is silence or a muted microphone
MAX_PHOTO_SIDE = 1024  # larger photos are scaled down before detection (and stored scaled)
TARGET_RATE = 16_000

_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
_AUDIO_MAGIC = ((b"ID3", "mp3"), (b"\xff\xfb", "mp3"), (b"\xff\xf3", "mp3"), (b"\xff\xf2", "mp3"),
                (b"OggS", "ogg"), (b"\x1a\x45\xdf\xa3", "webm"), (b"fLaC", "flac"))  # fmt: skip


@dataclass(frozen=True)
class CheckedPhoto:
    rgb: np.ndarray
    extension: str
    landmarks: np.ndarray  # (478, 2) pixel coordinates in `rgb`


@dataclass(frozen=True)
class CheckedVoice:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    duration_s: float
    loudness_db: float
    wav: bytes  # 16-bit mono PCM WAV of the sample


def sniff_image(data: bytes) -> str | None:
    for magic, extension in _IMAGE_MAGIC.items():
        if data.startswith(magic):
            return extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_photo_bytes(data: bytes | None, *, max_pixels: int | None = None) -> tuple[np.ndarray, str, float]:
    """Type, size, dimensions (from the header, before decoding) and integrity of the photo;
    the decoded RGB scaled down to at most `MAX_PHOTO_SIDE`, its extension, and that scale."""
    if not data:
        raise InvalidRequest("photo", "no photo was given; upload a photo of your face or take one with the webcam")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidRequest(
            "photo", f"the photo is {len(data) / 1e6:.1f} MB; use one of at most 10 MB (a phone photo resized is fine)"
        )
    extension = sniff_image(data)
    if extension is None:
        raise InvalidRequest("photo", "this file is not a PNG, JPEG or WebP image; upload a photo in one of those")
    photo = read_image(data, max_pixels=max_pixels, max_side=MAX_PHOTO_SIDE, field="photo")
    if min(photo.width, photo.height) < 64:
        raise InvalidRequest(
            "photo", f"the photo is only {photo.width}x{photo.height} pixels; use one of at least 256 pixels"
        )
    scale = photo.rgb.shape[1] / photo.width
    return photo.rgb, extension, scale


def check_faces(faces: list, field: str = "photo") -> np.ndarray:
    """Exactly one face with landmarks; its (478, 2) landmarks."""
    if not faces:
        raise InvalidRequest(
            field, "we found no face; use a photo of you alone, facing the camera, with your face well lit"
        )
    if len(faces) > 1:
        raise InvalidRequest(
            field, f"we found {len(faces)} faces; use a photo of you alone, facing the camera"
        )
    if faces[0].landmarks is None:
        raise InvalidRequest(
            field, "we found a face but could not trace its features; use a sharper photo, facing the camera"
        )
    return np.asarray(faces[0].landmarks, dtype=np.float32)


def check_voice(data: bytes | None, filename: str = "voice.wav", ffmpeg: str | None = None) -> CheckedVoice:
    """Type, duration and loudness of the voice sample."""
    if not data:
        raise InvalidRequest("voice", "no voice sample was given; upload a recording or use the microphone")
    if len(data) > MAX_VOICE_BYTES:
        raise InvalidRequest("voice", f"the recording is {len(data) / 1e6:.1f} MB; keep it under 25 MB (3-60 s)")
    samples, rate = decode_audio(data, filename, ffmpeg)
    duration = len(samples) / rate
    if duration < MIN_VOICE_S:
        raise InvalidRequest(
            "voice", f"the recording is {duration:.1f} s long; record at least {MIN_VOICE_S:.0f} s of your voice"
        )
    if duration > MAX_VOICE_S:
        raise InvalidRequest(
            "voice", f"the recording is {duration:.0f} s long; keep it to {MAX_VOICE_S:.0f} s at most"
        )
    loudness = _loudness_db(samples, rate)
    if loudness < MIN_LOUDNESS_DB:
        raise InvalidRequest(
            "voice", "the recording is silent or far too quiet; check the microphone and speak closer to it"
        )
    return CheckedVoice(samples, rate, duration, loudness, wav_bytes(samples, rate))


def decode_audio(data: bytes, filename: str = "", ffmpeg: str | None = None) -> tuple[np.ndarray, int]:
    """WAV through the stdlib; MP3/OGG/WebM/M4A/FLAC converted by ffmpeg to 16-bit mono WAV first."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _read_wav(data)
    kind = next((k for magic, k in _AUDIO_MAGIC if data.startswith(magic)), None)
    if kind is None and data[4:8] == b"ftyp":
        kind = "m4a"
    if kind is None:
        shown = Path(filename).suffix or "this file"
        raise InvalidRequest(
            "voice", f"{shown} is not an audio type we read; upload WAV, MP3, OGG, WebM, M4A or FLAC"
        )
    return _read_wav(_convert(data, kind, ffmpeg))


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
            raw = wav.readframes(frames)
    except (wave.Error, EOFError) as exc:
        raise InvalidRequest(
            "voice", f"the WAV file could not be read ({exc}); export it again as 16-bit PCM WAV"
        ) from exc
    if width not in (1, 2, 4) or rate <= 0 or channels < 1:
        raise InvalidRequest("voice", "the WAV uses an unusual format; export it as 16-bit PCM WAV")
    got = len(raw) // (width * channels)
    if got == 0 or got < frames * 0.98:
        raise InvalidRequest(
            "voice", "the WAV file is truncated (it holds less audio than its header says); record or upload it again"
        )
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
    pcm = np.frombuffer(raw[: got * width * channels], dtype=dtype).astype(np.float32)
    if width == 1:
        pcm = pcm - 128.0
    pcm /= float(2 ** (8 * width - 1))
    return pcm.reshape(-1, channels).mean(axis=1).astype(np.float32), rate


def _convert(data: bytes, kind: str, ffmpeg: str | None) -> bytes:
    if ffmpeg is None:
        from engine.providers.embedded.video import ffmpeg_exe

        try:
            ffmpeg = ffmpeg_exe()
        except ProviderError as exc:
            raise InvalidRequest("voice", f"{kind} needs ffmpeg, which is missing ({exc.user_message}); upload a WAV") from exc
    with tempfile.TemporaryDirectory(prefix="studio-voice-") as tmp:
        source, target = Path(tmp) / f"in.{kind}", Path(tmp) / "out.wav"
        source.write_bytes(data)
        command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
                   "-ac", "1", "-ar", str(TARGET_RATE), "-c:a", "pcm_s16le", str(target)]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InvalidRequest("voice", f"the {kind} recording could not be converted ({exc}); upload a WAV") from exc
        if done.returncode != 0 or not target.exists():
            raise InvalidRequest(
                "voice", f"the {kind} recording could not be decoded (the file may be truncated or damaged); record it again"
            )
        return target.read_bytes()


def _loudness_db(samples: np.ndarray, rate: int) -> float:
    """RMS of the loudest half of 50 ms frames (pauses don't count), in dBFS."""
    hop = max(1, rate // 20)
    usable = len(samples) // hop * hop
    if usable == 0:
        return -120.0
    frames = samples[:usable].reshape(-1, hop)
    rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    loud = np.sort(rms)[len(rms) // 2 :]
    return float(20 * np.log10(max(float(np.sqrt((loud**2).mean())), 1e-9)))


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Float mono samples as 16-bit PCM WAV bytes."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()
