"""Bad photos and voices are refused with a clear message, and nothing is stored."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from engine.errors import InvalidRequest
from engine.ownership import OPERATOR
from engine.scenarios import OnboardRequest
from tests.scenarios.conftest import SAMPLES, wav_of


def _two_faces(face_jpeg: bytes) -> bytes:
    with Image.open(io.BytesIO(face_jpeg)) as image:
        rgb = np.asarray(image.convert("RGB"))
    buffer = io.BytesIO()
    Image.fromarray(np.concatenate([rgb, rgb], axis=1)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _count(engine, table: str) -> int:
    return engine.db.cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0]


CASES = {
    "no consent": (dict(consent=False), "consent", "consent"),
    "wrong photo type": (dict(photo=b"GIF89a" + b"\0" * 100), "photo", "not a PNG, JPEG or WebP"),
    "truncated photo": ("truncated-photo", "photo", "truncated"),
    "no face": ("no-face", "photo", "no face"),
    "two faces": ("two-faces", "photo", "2 faces"),
    "photo too large": (dict(photo=b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 1)), "photo", "at most 10 MB"),
    "wrong voice type": (dict(voice=b"this is not audio at all" * 10, voice_name="notes.txt"), "voice", "not an audio type"),
    "truncated voice": ("truncated-voice", "voice", "truncated"),
    "silent voice": (dict(voice=wav_of(np.zeros(16_000 * 5))), "voice", "silent"),
    "voice too short": ("short-voice", "voice", "at least 3 s"),
    "voice too long": (dict(voice=wav_of(0.3 * np.sin(np.arange(16_000 * 61) * 0.05))), "voice", "60 s at most"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_refusals_name_the_field_and_store_nothing(case: str, scenario_engine, face_jpeg: bytes, voice_wav: bytes) -> None:
    engine, service = scenario_engine
    change, field, words = CASES[case]
    fields = dict(name="Alex", age=30, gender="other", photo=face_jpeg, voice=voice_wav, consent=True)
    if change == "truncated-photo":
        fields["photo"] = face_jpeg[: len(face_jpeg) // 2]
    elif change == "no-face":
        fields["photo"] = (SAMPLES / "no_face.jpg").read_bytes()
    elif change == "two-faces":
        fields["photo"] = _two_faces(face_jpeg)
    elif change == "truncated-voice":
        fields["voice"] = voice_wav[: len(voice_wav) // 3]  # the header still promises the whole sample
    elif change == "short-voice":
        from engine.scenarios.validation import decode_audio

        samples, rate = decode_audio(voice_wav)
        fields["voice"] = wav_of(samples[:rate], rate)
    else:
        fields.update(change)
    with pytest.raises(InvalidRequest) as caught:
        service.onboard(OnboardRequest(**fields), owner=OPERATOR)
    assert caught.value.field == field
    assert words in caught.value.user_message
    assert _count(engine, "scenario_users") == 0
    assert _count(engine, "media") == 0
    assert _count(engine, "jobs") == 0
    assert not any(p.is_file() for p in engine.media.root.rglob("*"))
