"""Narration in a person's voice profile says what it is: it opens with "This is a simulated voice.",
spoken by the same speech adapter in the same voice, and carries the provenance record (WAV
`LIST/INFO`) and a signed C2PA manifest."""

from __future__ import annotations

import io
import wave
from typing import TYPE_CHECKING

import numpy as np

from engine.providers.gateway import CallContext
from engine.scenarios import provenance
from engine.scenarios.makers import speech_request
from engine.scenarios.models import VoiceProfile
from engine.scenarios.validation import wav_bytes

if TYPE_CHECKING:
    from engine.provenance import MediaSigner
    from engine.providers.gateway import ModelGateway

__all__ = ["DISCLOSURE", "NARRATION_FORMAT", "disclosed_narration"]

DISCLOSURE = "This is a simulated voice."
NARRATION_FORMAT = "disclosed/1"  # part of the cache key: narration made before the disclosure is never served
_GAP_S = 0.3


def _samples(wav: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(wav)) as audio:
        rate, raw = audio.getframerate(), audio.readframes(audio.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0, rate


def disclosed_narration(profile: VoiceProfile, text: str, *, models: ModelGateway, signer: MediaSigner,
                        speech_provider: str, asset: str, user_id: str, voice_media: str | None,
                        context: CallContext) -> tuple[bytes, float]:  # fmt: skip
    """(signed WAV, seconds): the disclosure, a short pause, then `text`, in the profile's voice (one batch)."""
    spoken = models.speech.synthesize([speech_request(profile, DISCLOSURE), speech_request(profile, text)], context)
    disclosure, rate = _samples(spoken[0].wav)
    body, body_rate = _samples(spoken[1].wav)
    if body_rate != rate:
        from scipy.signal import resample_poly

        disclosure, rate = resample_poly(disclosure, body_rate, rate).astype(np.float32), body_rate
    audio = np.concatenate([disclosure, np.zeros(int(_GAP_S * rate), np.float32), body])
    record = provenance.manifest(
        asset=asset, kind="narration", user_id=user_id, sources={"voice": voice_media or ""},
        steps=[f"spoken disclosure: {DISCLOSURE!r}", "course script spoken in the voice profile"],
        models={"speech": speech_provider}, extra={"script": text, "disclosure": DISCLOSURE},
    )  # fmt: skip
    wav = provenance.wav_with_manifest(wav_bytes(audio, rate), record)
    return signer.sign_media(wav, "audio/wav", record), len(audio) / rate
