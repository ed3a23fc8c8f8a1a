"""An Intent-lab edit of a photo with a face in it is a simulation of a real person, so it is
labelled like the onboarding outputs: the red "SIMULATION" band and corner tag in the picture
(in every frame of a camera move), the JSON provenance record embedded in the file, and a
signed C2PA manifest over both. Photos without a face are left as they are."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.provenance import MediaSigner
from engine.providers.base import FaceDetection
from engine.scenarios import provenance

__all__ = ["SimulationLabel"]

CLAIM = "an edit of a photo of a real person - a simulation, not a photograph"


@dataclass(frozen=True)
class SimulationLabel:
    """The label, the record and the signature for one edit of a photo with a face."""

    signer: MediaSigner
    record: dict[str, Any]

    @classmethod
    def for_edit(cls, signer: MediaSigner, faces: Sequence[FaceDetection], source: np.ndarray, *, kind: str,
                 workflow: str, operations: Sequence[str], models: dict[str, str],
                 user_id: str | None) -> SimulationLabel | None:  # fmt: skip
        """A label when the vision model found a face in `source`, else None."""
        if not faces:
            return None
        pixels = hashlib.sha256(np.ascontiguousarray(source).tobytes()).hexdigest()
        record = provenance.manifest(
            asset=f"intent-{workflow}", kind=kind, user_id=user_id or "", sources={"photo_pixels_sha256": pixels},
            steps=[f"face found ({len(faces)})", *operations, "simulation banner"], models=models,
            extra={"claim": CLAIM, "workflow": workflow},
        )  # fmt: skip
        return cls(signer, record)

    def burn_image(self, image: np.ndarray) -> np.ndarray:
        """The picture with the visible label drawn in (before a camera move: then it is in every frame)."""
        return provenance.burn_banner(image)

    def png(self, image: np.ndarray) -> bytes:
        return self.signer.sign_media(provenance.png_with_manifest(image, self.record), "image/png", self.record)

    def mp4(self, mp4: bytes) -> bytes:
        from engine.providers.embedded.video import ffmpeg_exe

        tagged = provenance.mp4_with_manifest(mp4, self.record, ffmpeg_exe())
        return self.signer.sign_media(tagged, "video/mp4", self.record)
