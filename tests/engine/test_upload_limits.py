"""Hostile uploads are refused by the engine with a clear message before decoding, and nothing is stored."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from engine.engine import Engine, build_engine
from engine.errors import InvalidRequest
from engine.imaging import read_image
from engine.intent.execute import working_image
from engine.names import check_name
from engine.ownership import Owner
from engine.scenarios import OnboardRequest
from engine.scenarios.validation import check_photo_bytes
from engine.settings import Settings
from tests.support.images import bomb_png, huge_header_png

LIMIT = 40_000_000
HOSTILE = {
    "huge header": (lambda: huge_header_png(12_000, 12_000), "144 megapixels"),
    "just over the limit": (lambda: huge_header_png(7_000, 6_000), "7000x6000 pixels (42 megapixels)"),
    "bomb": (bomb_png, "400 megapixels"),
    "not an image": (lambda: b"%PDF-1.7 pretending to be a picture" * 50, "not a readable image"),
}

VISITOR = Owner("visitor", visitor=True)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_png()


def _data(case: str, bomb: bytes) -> bytes:
    return bomb if case == "bomb" else HOSTILE[case][0]()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_read_image_refuses_from_the_header(case: str, bomb: bytes) -> None:
    with pytest.raises(InvalidRequest) as caught:
        read_image(_data(case, bomb), max_pixels=LIMIT, field="picture")
    assert caught.value.field == "picture"
    assert HOSTILE[case][1] in caught.value.user_message


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_working_image_and_the_onboarding_photo_refuse_the_same(case: str, bomb: bytes) -> None:
    data = _data(case, bomb)
    with pytest.raises(InvalidRequest, match="image: ") as caught:
        working_image(data, max_pixels=LIMIT)
    if case != "not an image":  # the photo check sniffs the type first and says so in its own words
        with pytest.raises(InvalidRequest, match="photo: ") as photo:
            check_photo_bytes(data, max_pixels=LIMIT)
        assert HOSTILE[case][1] in photo.value.user_message
    assert HOSTILE[case][1] in caught.value.user_message


def test_a_large_jpeg_is_decoded_at_a_reduced_scale() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (200, 120, 40)).save(buffer, format="JPEG", quality=80)
    decoded = read_image(buffer.getvalue(), max_pixels=LIMIT, max_side=1024)
    assert (decoded.width, decoded.height) == (4000, 3000)
    assert decoded.rgb.shape == (768, 1024, 3)
    assert abs(int(decoded.rgb[..., 0].mean()) - 200) <= 3


@pytest.mark.parametrize("name", ["Ada\x00", "Ada\x07Lovelace", "\x1b[31mAda\x1b[0m", "Ada\u202eecalevol"])
def test_names_with_control_characters_are_refused(name: str) -> None:
    with pytest.raises(InvalidRequest, match="name: holds control characters"):
        check_name(name, "name")


def test_ordinary_names_pass_with_whitespace_collapsed() -> None:
    assert check_name("  Zoë \t O'Brien-Nakamura\n", "name") == "Zoë O'Brien-Nakamura"
    with pytest.raises(InvalidRequest, match="1-80"):
        check_name("   ", "name")


@pytest.fixture
def engine(engine_settings: Settings) -> Iterator[Engine]:
    built = build_engine(engine_settings.model_copy(update={"max_image_pixels": LIMIT}))
    yield built
    built.close()


def _stored(engine: Engine) -> int:
    files = [p for p in engine.media.root.rglob("*") if p.is_file()]
    return engine.db.cursor().execute("SELECT count(*) FROM media").fetchone()[0] + len(files)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_services_refuse_hostile_images_and_store_nothing(case: str, bomb: bytes, engine: Engine) -> None:
    data = _data(case, bomb)
    with pytest.raises(InvalidRequest, match=re.escape(HOSTILE[case][1])):
        engine.intent.process("make this a pencil sketch", data, "balanced", owner=VISITOR)
    with pytest.raises(InvalidRequest, match=re.escape(HOSTILE[case][1])):
        engine.intent.save_reference("@alice", data, owner=VISITOR)
    assert engine.intent.references(owner=VISITOR) == {}
    assert _stored(engine) == 0


def test_onboarding_refuses_a_name_with_escapes_and_stores_nothing(engine: Engine) -> None:
    face = np.full((300, 300, 3), 128, np.uint8)
    request = OnboardRequest(name="Ada\x1b[2J\x07", age=30, gender="other", photo=Image.fromarray(face).tobytes(),
                             voice=b"RIFF", consent=True)  # fmt: skip
    with pytest.raises(InvalidRequest, match="name: holds control characters \\(U\\+001B, U\\+0007\\)"):
        engine.scenarios.onboard(request, owner=VISITOR)
    assert _stored(engine) == 0


def test_a_reference_tag_with_escapes_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidRequest, match="tag: holds control characters"):
        engine.intent.save_reference("@ali\x1bce", b"", owner=VISITOR)
