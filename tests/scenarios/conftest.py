"""A real engine with the scenario service, and test media: a real voice sample, bad photos and voices."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.engine import Engine, build_engine
from engine.scenarios import ScenarioService
from engine.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
SENTENCE = "Hello, this is my voice. I am recording a short sample so the studio can learn how I sound."


def wav_of(samples: np.ndarray, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


@pytest.fixture(scope="session")
def voice_wav() -> bytes:
    """About 5 s of speech from the embedded eSpeak voice: a real voice-like signal."""
    from engine.providers.base import SpeechRequest
    from engine.providers.embedded.speech import EmbeddedSpeechModel
    from engine.settings import load_settings

    model = EmbeddedSpeechModel(load_settings(_env_file=None))
    return model.synthesize([SpeechRequest(text=SENTENCE, variant="f2", pitch=60)])[0].wav


@pytest.fixture(scope="session")
def face_jpeg() -> bytes:
    return (SAMPLES / "face.jpg").read_bytes()


@pytest.fixture
def scenario_engine(engine_settings: Settings) -> Iterator[tuple[Engine, ScenarioService]]:
    engine = build_engine(engine_settings)
    engine.start()
    try:
        yield engine, engine.scenarios
    finally:
        engine.close()
