"""Fake text and image adapters for story tests, registered through the real registry as a plugin."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

from PIL import Image

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

CHAPTER = (
    "Assistant: Setting: a town by the sea.\n"
    "## Chapter 1\n"
    "Mira walked along the docks as the lanterns came on. Jonas, an old sailor with a grey beard, waved at her.\n"
    "Jonas showed her a strange letter that promised a prize. <|im_end|>"
)
GOOD_CHOICES = "1. Ask Jonas who sent the letter\n2. Check the sender's address\n3. Throw the letter away"


class Script:
    """What the fake text model answers; tests change it between calls."""

    def __init__(self) -> None:
        self.chapter = CHAPTER
        self.choices: list[str] = []  # replies to successive choice calls; empty: GOOD_CHOICES
        self.piece_delay_s = 0.0
        self.generate_calls = 0
        self.stream_calls = 0
        self.lock = threading.Lock()


SCRIPT = Script()


class StoryText(TextModel):
    provider = "story-fake"

    @property
    def model_name(self) -> str:
        return "story-fake"

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        out = []
        for _ in requests:
            with SCRIPT.lock:
                SCRIPT.generate_calls += 1
                reply = SCRIPT.choices.pop(0) if SCRIPT.choices else GOOD_CHOICES
            out.append(TextResult(text=reply, tokens=len(reply.split())))
        return out

    def stream(self, request: TextRequest) -> Iterator[str]:
        with SCRIPT.lock:
            SCRIPT.stream_calls += 1
        for word in SCRIPT.chapter.split(" "):
            if SCRIPT.piece_delay_s:
                time.sleep(SCRIPT.piece_delay_s)
            yield word + " "


class SlowImages(ImageModel):
    """Real pictures would be slow: this one sleeps, then draws a plain card (not a placeholder)."""

    provider = "slow-fake"
    delay_s = 1.5
    calls = 0

    @property
    def model_name(self) -> str:
        return "slow-fake"

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        type(self).calls += 1
        time.sleep(self.delay_s)
        return [ImageResult(image=Image.new("RGB", (r.width, r.height), (40, 90, 160))) for r in requests]


def register(registry: ProviderRegistry) -> None:
    registry.register(AdapterSpec("story-fake", Capability.TEXT, lambda s, device: StoryText(), "scripted story text"))
    registry.register(AdapterSpec("slow-fake", Capability.IMAGE, lambda s, device: SlowImages(), "slow fake images"))
