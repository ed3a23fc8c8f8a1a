"""Every synthetic asset of a person is labelled as a simulation and carries where it came from.

- Images and video frames get a burned-in banner: "SIMULATION — made by Studio".
- A manifest (what made it, when, from which source media) is kept in DuckDB and embedded
  in the file: PNG `tEXt` chunks, MP4 `comment` metadata (ffmpeg, stream copy), and a WAV
  `LIST/INFO` chunk (`ICMT`). Dubs also open with a short tone and a spoken disclosure.

The same record is also signed into the file as a C2PA manifest (`engine.provenance`,
`engine.signer.sign_media`) once the embedded metadata is in place: signing comes last.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from engine.errors import ProviderError

__all__ = [
    "BANNER",
    "burn_banner",
    "disclosure_tone",
    "label_strip",
    "manifest",
    "mp4_with_manifest",
    "png_with_manifest",
    "read_png_manifest",
    "read_wav_manifest",
    "wav_with_manifest",
]  # fmt: skip

BANNER = "SIMULATION - made by Studio"
GENERATOR = "Studio scenarios (embedded)"


def manifest(*, asset: str, kind: str, user_id: str, sources: dict[str, str], steps: list[str],
             models: dict[str, str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The provenance record of one asset; `sources` names source media ids by role."""
    return {
        "claim": "synthetic media - a simulation made for scam awareness",
        "label": BANNER,
        "generator": GENERATOR,
        "asset": asset,
        "kind": kind,
        "user_id": user_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": sources,
        "steps": steps,
        "models": models,
        "standard": "studio-provenance/1 (this JSON, embedded; the file's C2PA manifest signs the same record)",
        **(extra or {}),
    }  # fmt: skip


def burn_banner(image: np.ndarray, text: str = BANNER) -> np.ndarray:
    """A red band with white text across the bottom, plus a small corner tag, drawn on a copy."""
    out = np.ascontiguousarray(image).copy()
    height, width = out.shape[:2]
    band = max(18, height // 14)
    top = height - band
    out[top:] = (out[top:].astype(np.float32) * 0.25 + np.array([200, 20, 30]) * 0.75).astype(np.uint8)
    scale = band / 34
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    while tw > width - 10 and scale > 0.2:
        scale *= 0.9
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    cv2.putText(out, text, ((width - tw) // 2, top + (band + th) // 2), cv2.FONT_HERSHEY_SIMPLEX,
                scale, (255, 255, 255), 2, cv2.LINE_AA)  # fmt: skip
    tag_scale = max(0.35, scale * 0.7)
    cv2.putText(out, "SIMULATION", (8, 8 + int(22 * tag_scale)), cv2.FONT_HERSHEY_SIMPLEX, tag_scale,
                (255, 255, 255), 3, cv2.LINE_AA)  # fmt: skip
    cv2.putText(out, "SIMULATION", (8, 8 + int(22 * tag_scale)), cv2.FONT_HERSHEY_SIMPLEX, tag_scale,
                (200, 20, 30), 1, cv2.LINE_AA)  # fmt: skip
    return out


def label_strip(image: np.ndarray, text: str = BANNER) -> np.ndarray:
    """The picture with a red label strip added below it: the label covers none of the content.

    The strip's height is even (video encoders need even sides); the picture keeps its
    pixels and coordinates, so landmarks found in it stay valid.
    """
    picture = np.ascontiguousarray(image)
    height, width = picture.shape[:2]
    band = max(20, height // 12) // 2 * 2
    strip = np.empty((band, width, 3), np.uint8)
    strip[:] = (200, 20, 30)
    scale = band / 40
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    while tw > width - 16 and scale > 0.2:
        scale *= 0.9
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    cv2.putText(strip, text, ((width - tw) // 2, (band + th) // 2), cv2.FONT_HERSHEY_SIMPLEX, scale,
                (255, 255, 255), 2, cv2.LINE_AA)  # fmt: skip
    return np.concatenate([picture[..., :3], strip], axis=0)


def png_with_manifest(image: np.ndarray, record: dict[str, Any]) -> bytes:
    info = PngInfo()
    info.add_text("Software", GENERATOR)
    info.add_text("Description", BANNER)
    info.add_text("provenance", json.dumps(record, sort_keys=True))
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", pnginfo=info, compress_level=1)
    return buffer.getvalue()


def read_png_manifest(data: bytes) -> dict[str, Any] | None:
    with Image.open(io.BytesIO(data)) as image:
        text = getattr(image, "text", {}).get("provenance")
    return json.loads(text) if text else None


def mp4_with_manifest(mp4: bytes, record: dict[str, Any], ffmpeg: str) -> bytes:
    """Stream-copy the MP4 with `comment` (the manifest) and `title` metadata; nothing is re-encoded."""
    with tempfile.TemporaryDirectory(prefix="studio-prov-") as tmp:
        source, target = Path(tmp) / "in.mp4", Path(tmp) / "out.mp4"
        source.write_bytes(mp4)
        command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-i", str(source), "-map", "0",
                   "-c", "copy", "-metadata", f"comment={json.dumps(record, sort_keys=True)}",
                   "-metadata", f"title={BANNER}", "-metadata", f"encoded_by={GENERATOR}",
                   "-movflags", "+faststart", str(target)]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ProviderError(f"ffmpeg could not add the provenance metadata: {exc}") from exc
        if done.returncode != 0:
            raise ProviderError(f"ffmpeg could not add the provenance metadata: {done.stderr.decode(errors='replace')[-300:]}")
        return target.read_bytes()


def wav_with_manifest(wav: bytes, record: dict[str, Any]) -> bytes:
    """Append a RIFF `LIST/INFO` chunk (ICMT = manifest, ISFT = generator) and fix the RIFF size."""
    def sub(tag: bytes, text: str) -> bytes:
        data = text.encode("utf-8") + b"\x00"
        if len(data) % 2:
            data += b"\x00"
        return tag + struct.pack("<I", len(data)) + data

    body = b"INFO" + sub(b"ICMT", json.dumps(record, sort_keys=True)) + sub(b"ISFT", GENERATOR) + sub(b"INAM", BANNER)
    chunk = b"LIST" + struct.pack("<I", len(body)) + body
    out = bytearray(wav if len(wav) % 2 == 0 else wav + b"\x00")
    out += chunk
    out[4:8] = struct.pack("<I", len(out) - 8)
    return bytes(out)


def read_wav_manifest(wav: bytes) -> dict[str, Any] | None:
    at = 12
    while at + 8 <= len(wav):
        tag, size = wav[at : at + 4], struct.unpack("<I", wav[at + 4 : at + 8])[0]
        if tag == b"LIST" and wav[at + 8 : at + 12] == b"INFO":
            sub = at + 12
            while sub + 8 <= at + 8 + size:
                name, length = wav[sub : sub + 4], struct.unpack("<I", wav[sub + 4 : sub + 8])[0]
                if name == b"ICMT":
                    return json.loads(wav[sub + 8 : sub + 8 + length].rstrip(b"\x00").decode("utf-8"))
                sub += 8 + length + (length % 2)
        at += 8 + size + (size % 2)
    return None


def disclosure_tone(rate: int, seconds: float = 0.35) -> np.ndarray:
    """Two short beeps (880 Hz) that open every dub, before the spoken disclosure."""
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 880 * t) * ((t % 0.175) < 0.12)
    return tone.astype(np.float32)
