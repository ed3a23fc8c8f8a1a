"""Everything made from a person's photo or voice is labelled and carries signed provenance, read back
here with c2pa-python's Reader and with our own readers: the caricature, a scenario image, a talking
video, a scam-call dub and course narration (which opens with a spoken disclosure)."""

from __future__ import annotations

import io
import subprocess
import wave

import numpy as np
import pytest

from engine.imaging import decode_image
from engine.ownership import Owner
from engine.provenance import STUDIO_ASSERTION
from engine.providers.embedded.video import ffmpeg_exe
from engine.scenarios import OnboardRequest
from engine.scenarios.disclosure import DISCLOSURE
from engine.scenarios.makers import speech_request
from engine.scenarios.provenance import BANNER, read_png_manifest, read_wav_manifest
from tests.provenance.conftest import c2pa_read, has_simulation_band


def _signed(data: bytes, mime: str) -> dict:
    """The studio's record as signed in the file's C2PA manifest (valid; untrusted outside the studio)."""
    state, failures, manifest = c2pa_read(data, mime)
    assert state == "Valid" and failures == ["signingCredential.untrusted"], (mime, state, failures)
    record = next(a["data"] for a in manifest["assertions"] if a["label"] == STUDIO_ASSERTION)
    assert "user_id" not in record and record["label"] == BANNER
    return record


def _frames(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as audio:
        return np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2")


def _similarity(audio: np.ndarray, reference: np.ndarray, window: int = 441) -> float:
    """Correlation of the 20 ms loudness envelopes of `reference` and the start of `audio`."""
    count = len(reference) // window

    def envelope(x: np.ndarray) -> np.ndarray:
        return np.sqrt((x[: count * window].astype(float).reshape(count, window) ** 2).mean(axis=1))

    return float(np.corrcoef(envelope(audio), envelope(reference))[0, 1])

OWNER = Owner("visitor-alex")


@pytest.mark.slow
def test_every_output_of_a_person_is_labelled_and_signed(scenario_engine, face_jpeg, voice_wav) -> None:
    engine, service = scenario_engine
    result = service.onboard(OnboardRequest(name="Alex Doe", age=34, gender="female", photo=face_jpeg, voice=voice_wav,
                                            consent=True), owner=OWNER)  # fmt: skip
    caricature = result.caricature_path.read_bytes()
    assert has_simulation_band(decode_image(caricature))
    assert _signed(caricature, "image/png")["asset"] == "caricature"
    assert read_png_manifest(caricature)["user_id"] == result.user_id  # the embedded record, for the studio itself

    by_name = {s.name: s for s in service.wait(result.user_id, timeout=300, owner=OWNER)}
    image = by_name["lottery_image"].path.read_bytes()
    assert has_simulation_band(decode_image(image))
    assert _signed(image, "image/png") == {k: v for k, v in read_png_manifest(image).items() if k != "user_id"}

    video = by_name["accident_video"].path.read_bytes()
    assert _signed(video, "video/mp4")["sources"]["scenario_image"] == by_name["accident_image"].media
    frame = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(by_name["accident_video"].path), "-frames:v", "1",
                            "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True, check=True).stdout  # fmt: skip
    assert has_simulation_band(decode_image(frame))
    report = engine.signer.read(video, "video/mp4")
    assert report is not None and report.state == "Trusted"

    dub = by_name["investment_call"].path.read_bytes()
    assert _signed(dub, "audio/wav")["kind"] == "dub" and read_wav_manifest(dub)["sources"]["voice"]

    # Narration in the voice profile: the disclosure first, in the same voice, then the script.
    step = service.course()[0].steps[0].id
    narration = service.narration(result.user_id, step, preload_next=False, owner=OWNER)
    wav = narration.path.read_bytes()
    record = read_wav_manifest(wav)
    assert record["kind"] == "narration" and record["disclosure"] == DISCLOSURE and record["sources"]["voice"]
    assert _signed(wav, "audio/wav")["script"] == narration.text
    speech = engine.models.speech
    plain, disclosure = speech.synthesize([speech_request(result.voice_profile, narration.text),
                                           speech_request(result.voice_profile, DISCLOSURE)])  # fmt: skip
    samples = _frames(wav)
    assert narration.duration_s >= plain.duration_s + disclosure.duration_s
    assert len(samples) / plain.sample_rate == pytest.approx(narration.duration_s, abs=0.01)
    opening = _frames(disclosure.wav)
    # eSpeak varies slightly from run to run, so compare loudness envelopes rather than samples.
    like_disclosure = _similarity(samples, opening)
    like_script = _similarity(samples, _frames(plain.wav))
    assert like_disclosure > 0.8 and like_disclosure > like_script + 0.1  # it opens with the disclosure
