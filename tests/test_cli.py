"""The `studio` CLI as a script would call it: a subprocess with STUDIO_* settings."""

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest


def run_studio(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True, env=environment, timeout=300
    )


def test_generate_speech_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    result = run_studio(["generate", "speech", "Hello from the studio.", "-o", str(out)], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.5


def test_models_lists_every_adapter_and_why(tmp_path: Path) -> None:
    result = run_studio(["models", "--no-smoke"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "embedded" in result.stdout and "openai" in result.stdout
    assert "STUDIO_OPENAI_API_KEY" in result.stdout  # why openai is unavailable


@pytest.mark.parametrize(
    ("env", "setting"),
    [({"STUDIO_CPU_WORKERS": "-1"}, "STUDIO_CPU_WORKERS"), ({"STUDIO_TEXT_PROVIDER": "openai"}, "STUDIO_OPENAI_API_KEY")],
)
def test_bad_configuration_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str], setting: str) -> None:
    result = run_studio(["models", "--no-smoke"], tmp_path / "data", **env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and setting in lines[0]
