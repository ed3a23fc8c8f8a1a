"""Fake text and image adapters for persona tests, registered through the real registry as a plugin."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from PIL import Image

from engine.errors import ProviderUnavailable
from engine.imaging import to_pil, warp
from engine.providers.base import (
    Capability,
    ImageModel,
    ImageRequest,
    ImageResult,
    TextModel,
    TextRequest,
    TextResult,
)
from engine.providers.registry import AdapterSpec, ProviderRegistry

FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"


class Script:
    """What the fakes answer; tests change it."""

    def __init__(self) -> None:
        self.reply = "Spent the morning wiring a tiny robot arm. It finally waved back at me!"
        self.fail_text = False
        self.systems: list[str] = []
        self.warp_landmarks = None  # (src, dst) to warp the face with, or None
        self.lock = threading.Lock()


SCRIPT = Script()


class PersonaText(TextModel):
    provider = "persona-fake"

    @property
    def model_name(self) -> str:
        return "persona-fake"

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        if SCRIPT.fail_text:
            raise ProviderUnavailable("persona-fake is down")
        with SCRIPT.lock:
            SCRIPT.systems.extend(m.content for r in requests for m in r.messages if m.role == "system")
        return [TextResult(text=SCRIPT.reply, tokens=len(SCRIPT.reply.split())) for _ in requests]

    def stream(self, request: TextRequest) -> Iterator[str]:
        yield SCRIPT.reply


class FaceImages(ImageModel):
    """Returns the sample face photo (optionally warped); a prompt with FAIL fails the whole call."""

    provider = "face-fake"

    @property
    def model_name(self) -> str:
        return "face-fake"

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        if any("FAIL" in r.prompt for r in requests):
            raise RuntimeError("face-fake cannot draw this")
        with Image.open(FACE) as image:
            picture = image.convert("RGB")
        if SCRIPT.warp_landmarks is not None and any("WARP" in r.prompt for r in requests):
            import numpy as np

            src, dst = SCRIPT.warp_landmarks
            picture = to_pil(warp(np.asarray(picture), src, dst))
        return [ImageResult(image=picture.copy()) for _ in requests]


def register(registry: ProviderRegistry) -> None:
    registry.register(AdapterSpec("persona-fake", Capability.TEXT, lambda s, *_: PersonaText(), "scripted persona text"))
    registry.register(AdapterSpec("face-fake", Capability.IMAGE, lambda s, *_: FaceImages(), "the sample face photo"))
