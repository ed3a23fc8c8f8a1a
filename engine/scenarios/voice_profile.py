"""A voice sample measured (pitch, its spread, speaking rate, brightness) and mapped to eSpeak parameters.

eSpeak is a formant synthesiser, so "your voice" means the closest it can get: the
person's pitch and melody range, speaking rate and a variant of similar timbre. A
cloud speech provider that clones voices gets the sample itself instead (see
`ScenarioService`), and its voice id is kept in the profile.
"""

from __future__ import annotations

import numpy as np

from engine.scenarios.models import VoiceProfile

__all__ = ["analyse_voice", "map_to_speech", "measure"]

F0_MIN, F0_MAX = 60.0, 400.0
# eSpeak's base pitch (parameter 50) is about 118 Hz for the male variants, 200 Hz for the female ones.
_BASE_F0 = {"male": 118.0, "female": 200.0}
# Variants ordered from darker to brighter timbre, per family.
_VARIANTS = {"male": ("m3", "m1", "m2", "m4"), "female": ("f4", "f2", "f1", "f3")}


def measure(samples: np.ndarray, rate: int) -> dict[str, float]:
    """F0 median and spread (semitones), syllables per second, spectral centroid, loudness."""
    from scipy import signal  # imported here: it costs 0.7 s, and every engine build imports this module

    x = np.asarray(samples, dtype=np.float32)
    if rate > 16_000:  # analysis needs no more; halves the work at 32-48 kHz
        x = signal.resample_poly(x, 16_000, rate).astype(np.float32)
        rate = 16_000
    frame, hop = int(0.04 * rate), int(0.01 * rate)
    count = max(0, 1 + (len(x) - frame) // hop)
    if count == 0:
        return {"f0_hz": 150.0, "f0_spread": 2.0, "syllables_per_s": 4.0, "brightness": 1500.0, "loudness_db": -120.0}
    index = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
    frames = x[index] * np.hanning(frame)[None, :].astype(np.float32)
    rms = np.sqrt((frames**2).mean(axis=1)) + 1e-9
    voiced = rms > max(float(np.percentile(rms, 90)) * 0.15, 1e-4)

    spectrum = np.abs(np.fft.rfft(frames, n=2 * frame, axis=1))
    power = spectrum**2
    # Autocorrelation (Wiener-Khinchin) of each frame; the strongest lag in the F0 range is the period.
    acf = np.fft.irfft(power, axis=1)[:, :frame]
    lo, hi = int(rate / F0_MAX), int(rate / F0_MIN)
    lags = acf[:, lo:hi]
    best = lags.argmax(axis=1) + lo
    strength = lags.max(axis=1) / (acf[:, 0] + 1e-12)
    periodic = voiced & (strength > 0.3)
    f0 = rate / best[periodic] if periodic.any() else np.array([150.0])
    f0 = f0[(f0 > F0_MIN) & (f0 < F0_MAX)] if len(f0) else np.array([150.0])
    if len(f0) == 0:
        f0 = np.array([150.0])
    q1, median, q3 = np.percentile(f0, [25, 50, 75])
    spread = float(12 * np.log2(q3 / q1)) if q1 > 0 else 2.0

    freqs = np.fft.rfftfreq(2 * frame, 1 / rate)
    centroid = (power[voiced] * freqs).sum(axis=1) / (power[voiced].sum(axis=1) + 1e-12) if voiced.any() else [1500.0]

    # Syllable nuclei: peaks of the smoothed energy envelope, over the time spent speaking.
    envelope = signal.savgol_filter(20 * np.log10(rms), 9, 2) if count >= 9 else 20 * np.log10(rms)
    peaks, _ = signal.find_peaks(envelope, prominence=4.0, distance=max(1, int(0.1 / 0.01)))
    peaks = peaks[voiced[peaks]]
    speaking_s = max(voiced.sum() * hop / rate, 0.5)
    loud = np.sort(rms)[count // 2 :]
    return {
        "f0_hz": float(median),
        "f0_spread": spread,
        "syllables_per_s": float(len(peaks) / speaking_s),
        "brightness": float(np.median(centroid)),
        "loudness_db": float(20 * np.log10(np.sqrt((loud**2).mean()))),
    }


def map_to_speech(measured: dict[str, float], gender: str = "other") -> VoiceProfile:
    """eSpeak voice, variant, pitch, pitch range and rate that come closest to the measurements."""
    f0 = measured["f0_hz"]
    if gender in ("male", "female") and 140 <= f0 <= 185:
        family = gender  # an ambiguous pitch: trust what the person told us
    else:
        family = "female" if f0 > 165 else "male"
    pitch = int(np.clip(round(50 + 45 * np.log2(f0 / _BASE_F0[family])), 0, 99))
    pitch_range = int(np.clip(round(measured["f0_spread"] * 10), 10, 99))
    words_per_minute = measured["syllables_per_s"] * 60 / 1.5
    rate = int(np.clip(round(words_per_minute), 120, 260))
    variants = _VARIANTS[family]
    bright = np.clip((measured["brightness"] - 600.0) / 2400.0, 0.0, 0.999)
    return VoiceProfile(
        f0_hz=round(f0, 1),
        f0_spread=round(measured["f0_spread"], 2),
        syllables_per_s=round(measured["syllables_per_s"], 2),
        brightness=round(measured["brightness"], 1),
        loudness_db=round(measured["loudness_db"], 1),
        voice="en-us",
        variant=variants[int(bright * len(variants))],
        pitch=pitch,
        pitch_range=pitch_range,
        rate=rate,
    )


def analyse_voice(samples: np.ndarray, rate: int, gender: str = "other") -> VoiceProfile:
    return map_to_speech(measure(samples, rate), gender)
