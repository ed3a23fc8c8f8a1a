"""`studio onboard`: JSON on the last stdout line with --wait; a refused photo exits non-zero with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from studio.cli_scenarios import register
from tests.scenarios.conftest import SAMPLES


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so `onboard` stays a named sub-command as in `studio`
        pass

    return app


@pytest.mark.slow
def test_onboard_wait_prints_ten_completed_assets(tmp_path: Path, monkeypatch, voice_wav: bytes,
                                                  shared_model_cache: Path) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STUDIO_MODEL_CACHE_DIR", str(shared_model_cache))
    voice = tmp_path / "voice.wav"
    voice.write_bytes(voice_wav)
    args = ["onboard", "--name", "Sam", "--age", "41", "--gender", "male", "--photo", str(SAMPLES / "face.jpg"),
            "--voice", str(voice), "--wait"]  # fmt: skip
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(out["assets"]) == 10 and {a["status"] for a in out["assets"]} == {"completed"}
    assert all(a["path"] and Path(a["path"]).is_file() and a["seconds"] > 0 for a in out["assets"]), [a for a in out["assets"] if not (a["path"] and Path(a["path"]).is_file() and a["seconds"] > 0)]
    assert {"name", "kind", "status", "path", "seconds"} <= set(out["assets"][0]) and out["user_id"]


@pytest.mark.slow
def test_onboard_refuses_a_photo_without_a_face(tmp_path: Path, monkeypatch, voice_wav: bytes) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    voice = tmp_path / "voice.wav"
    voice.write_bytes(voice_wav)
    args = ["onboard", "--name", "Sam", "--age", "41", "--gender", "male", "--photo", str(SAMPLES / "no_face.jpg"),
            "--voice", str(voice)]  # fmt: skip
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code != 0
    assert "no face" in result.stderr and result.stdout.strip() == ""
