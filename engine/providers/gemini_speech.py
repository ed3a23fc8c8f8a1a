"""Gemini text-to-speech (`STUDIO_GEMINI_SPEECH_MODEL`, e.g. gemini-2.5-flash-preview-tts), part of the `gemini` provider.

The model answers raw 16-bit PCM (`audio/L16;rate=24000`), which is wrapped in a WAV
header here. A request's `voice` is used when it names one of Gemini's prebuilt voices
(Kore, Puck, ...), else `STUDIO_GEMINI_SPEECH_VOICE`; pitch and rate are not settable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.errors import ProviderError
from engine.providers.base import SpeechModel, SpeechRequest, SpeechResult
from engine.providers.gemini_adapter import PROVIDER, GeminiCall, _first_candidate
from engine.providers.media_codec import pcm16_to_wav
from engine.settings import Settings

__all__ = ["GEMINI_VOICES", "GeminiSpeechModel"]

GEMINI_VOICES = (
    "Achernar", "Achird", "Algenib", "Algieba", "Alnilam", "Aoede", "Autonoe", "Callirrhoe", "Charon", "Despina",
    "Enceladus", "Erinome", "Fenrir", "Gacrux", "Iapetus", "Kore", "Laomedeia", "Leda", "Orus", "Puck",
    "Pulcherrima", "Rasalgethi", "Sadachbia", "Sadaltager", "Schedar", "Sulafat", "Umbriel", "Vindemiatrix",
    "Zephyr", "Zubenelgenubi",
)


class GeminiSpeechModel(SpeechModel):
    provider = PROVIDER
    local = False
    features = frozenset({"wav"})

    def __init__(self, settings: Settings) -> None:
        self._call = GeminiCall(settings)
        self._model = settings.gemini_speech_model
        self._default_voice = settings.gemini_speech_voice

    @property
    def model_name(self) -> str:
        return self._model

    def estimate_cost(self, request: SpeechRequest) -> float:
        return 0.00001 * len(request.text)  # ≈ $10 per million output audio tokens, ~1 token a character

    def voices(self) -> list[str]:
        return list(GEMINI_VOICES)

    def working_voices(self, candidates: Sequence[str]) -> list[str]:
        return [voice for voice in candidates if voice in GEMINI_VOICES]

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[SpeechResult]:
        types = self._call.types
        results = []
        for request in requests:
            voice = request.voice if request.voice in GEMINI_VOICES else self._default_voice
            config = types.GenerateContentConfig(
                response_modalities=["AUDIO"],
                speech_config=types.SpeechConfig(
                    voice_config=types.VoiceConfig(prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=voice))
                ),
            )
            response = self._call(
                lambda: self._call.client.models.generate_content(model=self._model, contents=request.text, config=config)
            )
            candidate = _first_candidate(response)
            parts = (candidate.content.parts if candidate.content else None) or []
            audio = next((p.inline_data for p in parts if p.inline_data and (p.inline_data.mime_type or "").startswith("audio/")), None)
            if audio is None or not audio.data:
                raise ProviderError(f"gemini answered without audio (model {self._model}).")
            mime = audio.mime_type or ""
            if not mime.lower().startswith(("audio/l16", "audio/pcm")):
                raise ProviderError(f"gemini sent {mime} audio; the studio reads 16-bit PCM (audio/L16).")
            rate_found = re.search(r"rate=(\d+)", mime)
            rate = int(rate_found.group(1)) if rate_found else 24000
            pcm = audio.data[: len(audio.data) // 2 * 2]
            results.append(SpeechResult(wav=pcm16_to_wav(pcm, rate), sample_rate=rate, duration_s=len(pcm) / 2 / rate))
        return results
