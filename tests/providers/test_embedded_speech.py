"""eSpeak NG through ctypes: real, audible WAVs."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import SpeechModel, SpeechRequest

TEXT = "The quick brown fox jumps over the lazy dog while the band plays on."  # 14 words


def read_wav(data: bytes) -> tuple[np.ndarray, int, float]:
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        return samples, wav.getframerate(), wav.getnframes() / wav.getframerate()


def test_speech_is_audible_and_plausibly_long(speech_model: SpeechModel) -> None:
    [result] = speech_model.synthesize([SpeechRequest(text=TEXT, rate=175)])
    samples, rate, seconds = read_wav(result.wav)
    assert rate == result.sample_rate == 22050
    assert seconds == pytest.approx(result.duration_s)
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    assert rms > 500
    words_seconds = 14 / 175 * 60  # 4.8 s at 175 words per minute
    assert 0.5 * words_seconds < seconds < 2.0 * words_seconds


def test_faster_rate_is_shorter(speech_model: SpeechModel) -> None:
    slow, fast = speech_model.synthesize(
        [SpeechRequest(text=TEXT, rate=120), SpeechRequest(text=TEXT, rate=350)]
    )
    assert fast.duration_s < 0.6 * slow.duration_s


def test_voices_and_variants(speech_model: SpeechModel) -> None:
    voices = speech_model.voices()
    assert {"en-us", "en-gb-x-rp", "fr-fr"} <= set(voices)
    plain, female, british = speech_model.synthesize(
        [
            SpeechRequest(text="Hello there.", voice="en-us"),
            SpeechRequest(text="Hello there.", voice="en-us", variant="f2"),
            SpeechRequest(text="Hello there.", voice="en-gb-x-rp"),
        ]
    )
    assert plain.wav != female.wav and plain.wav != british.wav


def test_unknown_voice_or_variant_is_refused(speech_model: SpeechModel) -> None:
    with pytest.raises(InvalidRequest, match="voice"):
        speech_model.synthesize([SpeechRequest(text="hi", voice="xx-nowhere")])
    with pytest.raises(InvalidRequest, match="variant"):
        speech_model.synthesize([SpeechRequest(text="hi", variant="no-such-variant")])


def test_working_voices_keeps_only_names_espeak_accepts(speech_model: SpeechModel) -> None:
    from studio.playground_tab import VOICE_CANDIDATES

    working = speech_model.working_voices(VOICE_CANDIDATES)
    assert "en-us" in working and "en-gb" not in working  # 'en-gb' is a language code, not a voice name
    for voice in working:  # every voice offered really speaks
        assert speech_model.synthesize([SpeechRequest(text="Hello.", voice=voice)])[0].duration_s > 0.2
