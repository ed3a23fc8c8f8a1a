"""`studio persona` as a script calls it: JSON on the last stdout line, exit 2 and one stderr line on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from studio.cli import app

PROFILE = ["create", "--traits", "geeky", "--aesthetic", "sleek", "--voice", "precise"]
FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"


def studio(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "STUDIO_CPU_WORKERS": "2"}
    return subprocess.run([sys.executable, "-m", "studio.cli", "persona", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def last_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_persona_commands_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "data"
    created = last_json(studio(data, "create", "--name", "Ada", "--traits", "geeky,kind", "--aesthetic", "sleek",
                               "--voice", "precise", "--tone", "confident", "--themes", "robots,chess"))
    assert set(created) == {"id", "name", "style", "base_image_status"}
    assert created["style"] == "tech" and created["base_image_status"] == "pending_upload"
    persona = created["id"]

    assert "allowed from pending_upload" in one_line_exit_2(studio(data, "transition", persona, "approved"))
    uploaded = last_json(studio(data, "image", persona, "--upload", str(FACE)))
    assert uploaded["base_image_status"] == "draft" and Path(uploaded["path"]).is_file()
    moved = last_json(studio(data, "transition", persona, "approved", "--reason", "looks right"))
    assert moved == {"id": persona, "base_image_status": "approved", "appearance_locked": True}

    post = last_json(studio(data, "text", persona, "--prompt", "future trends", "--seed", "3", "--source", "template"))
    assert set(post) == {"id", "style", "voice_modifiers", "source", "text"}
    assert post["source"] == "template" and post["text"].endswith("(maintaining my tech-forward presence)")
    again = last_json(studio(data, "text", persona, "--prompt", "future trends", "--seed", "3", "--source", "template"))
    assert again == post

    batch = studio(data, "batch", persona, "--count", "3")
    assert batch.returncode == 0, batch.stderr
    lines = [json.loads(line) for line in batch.stdout.strip().splitlines()]
    assert [line["index"] for line in lines] == [0, 1, 2]
    for line in lines:
        assert {"index", "image_id", "device", "status", "provider", "path"} <= set(line)
        assert line["status"] == "completed" and line["provider"] == "embedded" and line["device"] == "cpu"
        assert line["comparison"] == "no face to compare"

    # a batch image as the base image: refused while approved, then proposed as a draft after the unlock
    chosen = lines[1]["image_id"]
    assert "unlock it first" in one_line_exit_2(studio(data, "use-batch-image", persona, chosen))
    last_json(studio(data, "transition", persona, "draft", "--reason", "try a batch image"))
    used = last_json(studio(data, "use-batch-image", persona, chosen))
    assert used == {"id": persona, "base_image_status": "draft", "path": lines[1]["path"]}
    assert "No batch image 'abc-9'" in one_line_exit_2(studio(data, "use-batch-image", persona, "abc-9"))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([*PROFILE, "--name", "Ada", "--rating", "spicy"], "--rating"),
        ([*PROFILE, "--name", "  "], "--name"),
        (["create", "--name", "Ada", "--aesthetic", "sleek", "--voice", "precise"], "Missing option '--traits'"),
        (["text", "nope", "--prompt", "x"], "No persona 'nope'"),
        (["batch", "nope", "--count", "x"], "--count"),
        (["batch", "nope", "--count", "99"], "--count"),
        (["image", "nope"], "--upload PATH or --generate"),
        (["text", "nope"], "Missing option '--prompt'"),
        (["use-batch-image", "nope", "abc-0"], "No persona 'nope'"),
        (["use-batch-image", "nope"], "Missing argument 'IMAGE_ID'"),
    ],
)
def test_invalid_input_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], needle: str
) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["persona", *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert result.stdout == ""
