"""eSpeak NG speech through ctypes, on the library and voice data shipped in `espeakng-loader`.

eSpeak keeps one global state per process, so the library is initialised once and
every call into it holds the module lock.
"""

from __future__ import annotations

import ctypes
import importlib.util
import io
import threading
import wave
from collections.abc import Sequence
from pathlib import Path

from engine.errors import InvalidRequest, ProviderError, ProviderUnavailable
from engine.providers.base import SpeechModel, SpeechRequest, SpeechResult
from engine.settings import Settings

__all__ = ["EmbeddedSpeechModel", "espeak_paths"]

PACKAGE = "espeakng_loader"
INSTALL_HINT = "package espeakng-loader is not installed: run make install"

# espeak_AUDIO_OUTPUT, espeak_PARAMETER, flags and positions from speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


def espeak_paths() -> tuple[Path, Path]:
    """The shared library and the `espeak-ng-data` folder inside the installed package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ProviderUnavailable(INSTALL_HINT)
    root = Path(next(iter(spec.submodule_search_locations)))
    library, data = root / "libespeak-ng.so", root / "espeak-ng-data"
    if not library.is_file() or not data.is_dir():
        raise ProviderUnavailable(
            f"{root} lacks libespeak-ng.so or espeak-ng-data: reinstall espeakng-loader"
        )
    return library, data


class _ESpeak:
    """The process-wide library handle: initialised once, used under `lock`."""

    lock = threading.Lock()
    _instance: _ESpeak | None = None

    def __init__(self) -> None:
        library, data = espeak_paths()
        try:
            lib = ctypes.CDLL(str(library))
        except OSError as exc:
            raise ProviderUnavailable(f"could not load {library}: {exc}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data).encode(), _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise ProviderUnavailable(f"espeak_Initialize failed with the data at {data}")
        self.lib, self.sample_rate, self.data = lib, int(rate), data
        self._chunks: list[bytes] = []
        self._callback = _SynthCallback(self._collect)  # kept alive as long as the library may call it
        lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> _ESpeak:
        with cls.lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _collect(self, samples: ctypes.Array[ctypes.c_short], count: int, events: int | None) -> int:
        if samples and count > 0:
            self._chunks.append(ctypes.string_at(samples, count * 2))
        return 0

    def speak(self, request: SpeechRequest) -> bytes:
        """Raw 16-bit mono PCM of the request. Call with `lock` held."""
        voice = request.voice + (f"+{request.variant}" if request.variant else "")
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise InvalidRequest(
                "voice", f"eSpeak has no voice {voice!r}; pick one of voices(), e.g. 'en-us'"
            )
        for parameter, value in (
            (_RATE, request.rate),
            (_PITCH, request.pitch),
            (_RANGE, request.pitch_range),
            (_VOLUME, request.volume),
        ):
            self.lib.espeak_SetParameter(parameter, value, 0)
        text = request.text.encode("utf-8")
        self._chunks = []
        status = self.lib.espeak_Synth(
            text, len(text) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None
        )
        self.lib.espeak_Synchronize()
        if status != 0:
            raise ProviderError(f"eSpeak could not synthesise the text (error {status})")
        pcm, self._chunks = b"".join(self._chunks), []
        return pcm

    def languages(self) -> list[str]:
        """Language codes of every installed voice, e.g. 'en-us', 'en-gb-x-rp'."""
        codes: set[str] = set()
        voices = self.lib.espeak_ListVoices(None)
        i = 0
        while voices[i]:
            raw = ctypes.cast(voices[i].contents.languages, ctypes.c_char_p)
            address = ctypes.cast(raw, ctypes.c_void_p).value or 0
            # `languages` is a run of (priority byte, NUL-terminated name), ended by a zero byte.
            while address and ctypes.string_at(address, 1) != b"\x00":
                name = ctypes.string_at(address + 1)
                codes.add(name.decode("utf-8", "replace"))
                address += len(name) + 2
            i += 1
        return sorted(codes)


def _wav(pcm: bytes, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


class EmbeddedSpeechModel(SpeechModel):
    """eSpeak NG voices (formant synthesis): robotic but instant, 22.05 kHz mono."""

    provider = "embedded"
    features = frozenset({"batch", "voices", "variants", "rate", "pitch"})

    def __init__(self, settings: Settings) -> None:
        self._espeak = _ESpeak.get()

    @property
    def model_name(self) -> str:
        return "eSpeak NG"

    @property
    def sample_rate(self) -> int:
        return self._espeak.sample_rate

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[SpeechResult]:
        known = set(self.variants())
        for i, request in enumerate(requests):
            if request.variant and request.variant not in known:
                raise InvalidRequest(
                    f"requests[{i}].variant",
                    f"unknown variant {request.variant!r}; pick one of variants(), e.g. 'f2'",
                )
        results = []
        with _ESpeak.lock:
            for request in requests:
                pcm = self._espeak.speak(request)
                results.append(
                    SpeechResult(
                        wav=_wav(pcm, self.sample_rate),
                        sample_rate=self.sample_rate,
                        duration_s=len(pcm) / 2 / self.sample_rate,
                    )
                )
        return results

    def voices(self) -> list[str]:
        with _ESpeak.lock:
            return self._espeak.languages()

    def working_voices(self, candidates: Sequence[str]) -> list[str]:
        """The candidates eSpeak accepts as a voice name (a language code alone, e.g. 'en-gb', may not be one)."""
        with _ESpeak.lock:
            return [voice for voice in candidates if self._espeak.lib.espeak_SetVoiceByName(voice.encode()) == 0]

    def variants(self) -> list[str]:
        """Voice variants (append to a voice as 'en-us+f2' or pass as `variant`)."""
        return sorted(p.name for p in (self._espeak.data / "voices" / "!v").iterdir() if p.is_file())
