"""`process` on a real engine: embedded edits, videos and stand-ins made, the rest priced and named,
every run logged with estimated and actual cost and time; references; uploads to evaluate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.imaging import decode_image
from engine.intent import RunStatus
from engine.ownership import OPERATOR, Owner

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"


@pytest.fixture(scope="module")
def face_jpg() -> bytes:
    return (SAMPLES / "face.jpg").read_bytes()


def _runs(engine: Engine) -> list[tuple]:
    return engine.db.cursor().execute(
        "SELECT workflow, status, provider, estimated_cost_usd, actual_seconds, output_sha256, output_kind"
        " FROM intent_selections ORDER BY created_at"
    ).fetchall()


def test_an_edit_runs_on_the_embedded_provider_and_is_logged(engine: Engine, face_jpg: bytes) -> None:
    result = engine.intent.process("make this photo black and white", face_jpg, "balanced", owner=Owner("u1"))
    assert result.status is RunStatus.DONE, result.message
    assert result.provider == "embedded" and result.output_kind == "image" and result.operations
    made = decode_image(engine.media.read(result.output_sha256 or ""))
    body = made[made.shape[0] // 8 : made.shape[0] * 6 // 7]  # between the corner tag and the red simulation band
    assert np.abs(body[..., 0].astype(int) - body[..., 2].astype(int)).max() <= 2  # grey: channels equal
    assert result.labelled  # a face is in the photo
    [(workflow, status, provider, cost, seconds, sha, kind)] = _runs(engine)
    assert (workflow, status, provider, cost, sha, kind) == (
        result.plan.classification.workflow_type.value, "done", "embedded", 0.0, result.output_sha256, "image"
    )
    assert seconds is not None and seconds > 0


def test_hair_colour_uses_the_face_and_changes_the_image(engine: Engine, face_jpg: bytes) -> None:
    result = engine.intent.process("dye my hair bright red", face_jpg, "balanced", owner=Owner("u1"))
    assert result.plan.classification.workflow_type.value == "hair_styling"
    assert result.status is RunStatus.DONE, result.message
    before = decode_image(face_jpg)
    after = decode_image(engine.media.read(result.output_sha256 or ""))
    assert after.shape[:2] == before.shape[:2] and not np.array_equal(after, before)


def test_animate_makes_a_camera_move_video(engine: Engine, face_jpg: bytes) -> None:
    result = engine.intent.process("animate this photo with a slow zoom in", face_jpg, "speed", owner=Owner("u1"))
    assert result.plan.classification.workflow_type.value == "image_to_video"
    assert result.status is RunStatus.DONE and result.output_kind == "video"
    data = engine.media.read(result.output_sha256 or "")
    assert data[4:8] == b"ftyp" and len(data) > 10_000


def test_a_cut_is_not_possible_offline_and_names_the_provider(engine: Engine, face_jpg: bytes) -> None:
    result = engine.intent.process("give me curtain bangs", face_jpg, "balanced", owner=Owner("u1"))
    assert result.plan.classification.workflow_type.value == "hair_styling"
    assert result.status is RunStatus.NEEDS_PROVIDER and result.output_sha256 is None
    assert result.needs and "Needs provider" in result.message and "$" in result.message
    assert _runs(engine)[0][1] == "needs_provider"


def test_video_with_sound_needs_a_provider(engine: Engine) -> None:
    result = engine.intent.process("a cinematic video of a rocket launch with a roaring soundtrack", None, "quality", owner=Owner("u1"))
    assert result.plan.classification.workflow_type.value == "video_generation"
    assert result.status is RunStatus.NEEDS_PROVIDER and result.plan.selection.estimated_cost_usd > 0


def test_text_to_image_offline_is_a_labelled_stand_in(engine: Engine) -> None:
    result = engine.intent.process("a watercolour painting of a fox in the snow", None, "balanced", owner=Owner("u1"))
    assert result.plan.classification.workflow_type.value == "image_generation"
    assert result.status is RunStatus.PLACEHOLDER and "stand-in" in result.message
    assert _runs(engine)[0][1] == "placeholder"


def test_an_edit_without_an_image_asks_for_one(engine: Engine) -> None:
    with pytest.raises(InvalidRequest) as caught:
        engine.intent.process("upscale and sharpen this photo", None, "balanced", owner=Owner("u1"))
    assert "working image" in caught.value.user_message


@pytest.mark.parametrize("bad", [b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, np.zeros((8, 8, 3), np.uint8)])
def test_a_bad_image_is_refused_and_nothing_is_logged(engine: Engine, bad: bytes | np.ndarray) -> None:
    with pytest.raises(InvalidRequest) as caught:
        engine.intent.process("make it brighter", bad, "balanced", owner=Owner("u1"))
    assert caught.value.field == "image"
    assert _runs(engine) == []


def test_saved_references_resolve_mentions(engine: Engine, face_jpg: bytes) -> None:
    assert engine.intent.save_reference("@Sarah", face_jpg, owner=Owner("u7")) == "sarah"
    plan = engine.intent.plan("put @sarah and @tom in matching red dresses", True, "balanced", owner=Owner("u7"))
    assert set(plan.prompt.mentions) == {"sarah"} and plan.prompt.missing_mentions == ("tom",)
    assert engine.intent.references(owner=Owner("someone-else")) == {}
    with pytest.raises(InvalidRequest):
        engine.intent.save_reference("<script>", face_jpg, owner=Owner("u7"))


def test_evaluate_on_an_uploaded_file(engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "mine.jsonl"
    good.write_text(
        json.dumps({"prompt": "animate this photo", "has_image": True, "workflow": "image_to_video"}) + "\n"
        + json.dumps({"prompt": "a poster of a red fox", "has_image": False, "workflow": "image_generation"}) + "\n"
    )
    report = engine.intent.evaluate("rules", good, owner=OPERATOR)
    assert report.examples == 2 and len(report.latencies_ms) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "x", "workflow": "teleport"}\n')
    with pytest.raises(InvalidRequest) as caught:
        engine.intent.evaluate("rules", bad, owner=OPERATOR)
    assert "line 1" in caught.value.user_message
    binary = tmp_path / "photo.jsonl"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
    with pytest.raises(InvalidRequest):
        engine.intent.evaluate("rules", binary, owner=OPERATOR)


def test_cli_process_prints_the_result_as_json(tmp_path: Path) -> None:
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "studio.cli", "process", "make this photo black and white",
         "--image", str(SAMPLES / "face.jpg"), "--quality", "speed"],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "done" and Path(result["output_path"]).is_file()
    assert result["plan"]["selection"]["quality"] == "speed"
    missing = subprocess.run(
        [sys.executable, "-m", "studio.cli", "process", "sharpen it", "--image", str(tmp_path / "nope.jpg")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert missing.returncode == 2 and "not a file" in missing.stderr
