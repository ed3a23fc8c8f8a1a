"""Intent-lab edits and camera moves of a photo with a face carry the visible simulation label, the
embedded provenance record and a signed C2PA manifest; a photo without a face is left as it is."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.engine import Engine, build_engine
from engine.imaging import decode_image
from engine.intent import RunStatus
from engine.ownership import Owner
from engine.provenance import STUDIO_ASSERTION
from engine.scenarios.provenance import BANNER, read_png_manifest
from engine.settings import load_settings
from tests.provenance.conftest import c2pa_read, has_simulation_band

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"


@pytest.fixture(scope="module")
def face_jpg() -> bytes:
    return (SAMPLES / "face.jpg").read_bytes()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, shared_model_cache: Path) -> Iterator[Engine]:
    """One engine for the module: loading the classifiers is the slow part."""
    settings = load_settings(data_dir=tmp_path_factory.mktemp("labels"), model_cache_dir=shared_model_cache,
                             cpu_workers=1, _env_file=None)  # fmt: skip
    with build_engine(settings) as built:
        yield built


def _first_frame(mp4: bytes) -> tuple[np.ndarray, dict[str, str]]:
    """The first frame as RGB, and the container's metadata (ffmpeg's ffmetadata, unescaped)."""
    from engine.providers.embedded.video import ffmpeg_exe

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        path.write_bytes(mp4)
        frame = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "image2pipe",
                                "-vcodec", "png", "-"], capture_output=True, check=True)  # fmt: skip
        meta = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                              capture_output=True, check=True, text=True)  # fmt: skip
    pairs = (line.split("=", 1) for line in meta.stdout.splitlines()[1:] if "=" in line)
    return decode_image(frame.stdout), {key: re.sub(r"\\(.)", r"\1", value) for key, value in pairs}


def test_an_edit_of_a_face_photo_is_labelled_and_signed(engine: Engine, face_jpg: bytes) -> None:
    result = engine.intent.process("turn this photo into an oil painting", face_jpg, "balanced", owner=Owner("visitor-1"))
    assert result.status is RunStatus.DONE and result.output_kind == "image", result.message
    assert result.labelled and "labelled as a simulation" in result.message
    png = engine.media.read(result.output_sha256 or "")
    made = decode_image(png)
    assert has_simulation_band(made) and not has_simulation_band(decode_image(face_jpg))
    record = read_png_manifest(png)
    assert record is not None and record["label"] == BANNER and record["kind"] == "image"
    assert "simulation banner" in record["steps"] and record["sources"]["photo_pixels_sha256"]
    state, failures, manifest = c2pa_read(png, "image/png")
    assert state == "Valid" and failures == ["signingCredential.untrusted"]
    signed = next(a["data"] for a in manifest["assertions"] if a["label"] == STUDIO_ASSERTION)
    assert signed["claim"] == record["claim"] and "user_id" not in signed


def test_a_camera_move_over_a_face_photo_is_labelled_in_every_frame_and_signed(engine: Engine, face_jpg: bytes) -> None:
    result = engine.intent.process("animate this photo with a slow zoom in", face_jpg, "speed", owner=Owner("visitor-1"))
    assert result.status is RunStatus.DONE and result.output_kind == "video" and result.labelled
    mp4 = engine.media.read(result.output_sha256 or "")
    frame, metadata = _first_frame(mp4)
    assert has_simulation_band(frame) and metadata["title"] == BANNER
    state, failures, manifest = c2pa_read(mp4, "video/mp4")
    assert state == "Valid" and failures == ["signingCredential.untrusted"]
    assert manifest["title"].endswith(".mp4")
    report = engine.signer.read(mp4, "video/mp4")
    assert report is not None and report.state == "Trusted" and report.studio and report.studio["kind"] == "video"
    assert json.loads(metadata["comment"])["sources"] == report.studio["sources"]


def test_a_photo_without_a_face_is_not_labelled(engine: Engine) -> None:
    photo = (SAMPLES / "no_face.jpg").read_bytes()
    result = engine.intent.process("turn this photo into an oil painting", photo, "balanced", owner=Owner("visitor-1"))
    assert result.status is RunStatus.DONE and not result.labelled
    png = engine.media.read(result.output_sha256 or "")
    assert read_png_manifest(png) is None and engine.signer.read(png, "image/png") is None
