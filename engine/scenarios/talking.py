"""A talking photo: the placed face's mouth and jaw moved by the speech audio.

Per video frame the audio gives an opening: its loudness envelope, shaped by a
phoneme class read from the spectrum (vowels open wide, fricatives such as s/f/sh
barely, pauses and plosive closures shut). The mouth is rendered at a few opening
levels only (a landmark-driven warp of lower lip, chin and jaw, plus the mouth cavity
and upper teeth drawn in), and each frame picks its level, so the cost does not grow
with the video's length.
"""

from __future__ import annotations

import io
import wave

import cv2
import numpy as np

from engine import imaging

__all__ = ["FPS", "LEVELS", "mouth_levels", "openings", "talking_frames"]

FPS = 15
LEVELS = 6

_UPPER_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
_LOWER_INNER = [95, 88, 178, 87, 14, 317, 402, 318, 324]
_LOWER_OUTER = [146, 91, 181, 84, 17, 314, 405, 321, 375]
_CHIN = [176, 148, 152, 377, 400, 149, 378]
_JAW = [172, 136, 150, 379, 365, 397]
_FIXED = [1, 4, 6, 33, 133, 362, 263, 234, 454, 93, 323, 132, 361, 61, 291, 0, 37, 267, 40, 270, 58, 288, 10, 151]


def _read(wav: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(wav)) as w:
        raw, rate, width = w.readframes(w.getnframes()), w.getframerate(), w.getsampwidth()
        channels = w.getnchannels()
    pcm = np.frombuffer(raw, dtype={1: np.uint8, 2: np.int16, 4: np.int32}[width]).astype(np.float32)
    return pcm.reshape(-1, channels).mean(axis=1) / float(2 ** (8 * width - 1)), rate


def openings(wav: bytes, fps: int = FPS) -> np.ndarray:
    """Mouth opening 0..1 per video frame of the audio's length."""
    samples, rate = _read(wav)
    hop = max(1, int(rate / fps))
    count = max(1, int(np.ceil(len(samples) / hop)))
    padded = np.pad(samples, (0, count * hop - len(samples)))
    frames = padded.reshape(count, hop)
    rms = np.sqrt((frames**2).mean(axis=1))
    loud = np.clip(rms / (np.percentile(rms, 95) + 1e-9), 0, 1)
    # Phoneme class from the zero-crossing rate: low = voiced vowel (open), high = fricative (narrow).
    zcr = (np.abs(np.diff(np.sign(frames), axis=1)) > 0).mean(axis=1) * rate / 2
    vowel = np.clip(1.0 - (zcr - 1500.0) / 3000.0, 0.25, 1.0)
    target = np.where(loud < 0.08, 0.0, loud**0.6 * vowel)  # pauses and closures shut the mouth
    smoothed = np.empty_like(target)
    level = 0.0
    for i, value in enumerate(target):  # fast attack, slower release, like a jaw
        level += (value - level) * (0.75 if value > level else 0.45)
        smoothed[i] = level
    return np.clip(smoothed, 0, 1).astype(np.float32)


def mouth_levels(image: np.ndarray, landmarks: np.ndarray, levels: int = LEVELS) -> list[np.ndarray]:
    """The face rendered with its mouth at `levels` openings, from shut (the image itself) to wide."""
    pts = np.asarray(landmarks, np.float32)
    rgb = imaging.to_rgb(image)
    left, right, mouth = imaging.face_anchors(pts)
    down = mouth - (left + right) / 2
    down /= max(float(np.linalg.norm(down)), 1e-6)
    width = float(np.linalg.norm(pts[291] - pts[61]))
    movers = _LOWER_INNER + _LOWER_OUTER + _CHIN + _JAW
    weights = np.array([1.0] * len(_LOWER_INNER) + [0.95] * len(_LOWER_OUTER) + [0.85] * len(_CHIN)
                       + [0.45] * len(_JAW), np.float32)  # fmt: skip
    src = np.concatenate([pts[movers], pts[_FIXED]])
    x0, y0 = np.floor(src.min(axis=0) - width * 0.6).clip(0).astype(int)
    x1, y1 = np.ceil(src.max(axis=0) + width * 0.6).clip(max=(rgb.shape[1], rgb.shape[0])).astype(int)
    offset = np.array([x0, y0], np.float32)
    crop = rgb[y0:y1, x0:x1]
    out = [rgb]
    for k in range(1, levels):
        shift = (k / (levels - 1)) * 0.32 * width
        dst = src.copy()
        dst[: len(movers)] += weights[:, None] * shift * down[None, :]
        warped = imaging.warp(crop, src - offset, dst - offset, sigma=0.3 * width)
        upper = pts[_UPPER_INNER] - offset
        lower = (pts[_LOWER_INNER] + shift * down) - offset
        cavity = np.concatenate([upper, lower[::-1]]).round().astype(np.int32)
        cv2.fillPoly(warped, [cavity], (60, 18, 24), cv2.LINE_AA)
        teeth = np.concatenate([upper, (upper + 0.3 * shift * down)[::-1]]).round().astype(np.int32)
        cv2.fillPoly(warped, [teeth], (228, 222, 212), cv2.LINE_AA)
        frame = rgb.copy()
        frame[y0:y1, x0:x1] = warped
        out.append(frame)
    return out


def talking_frames(image: np.ndarray, landmarks: np.ndarray, wav: bytes, fps: int = FPS) -> list[np.ndarray]:
    """One frame per 1/fps s of the audio (the frames repeat a handful of rendered mouth shapes)."""
    shapes = mouth_levels(image, landmarks)
    levels = np.round(openings(wav, fps) * (len(shapes) - 1)).astype(int)
    return [shapes[i] for i in levels]
