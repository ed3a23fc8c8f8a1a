"""`studio generate image|speech --provider gemini|openai` and `studio models` as a shell would run them,
with the real SDKs pointed at a local HTTP stand-in."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.providers.media_codec import pcm16_to_wav
from tests.support.http_standin import HttpStandIn, Reply

pytestmark = pytest.mark.slow


def run_studio(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    environment = {**keep, "STUDIO_DATA_DIR": str(data_dir), "COLUMNS": "400", **env}
    return subprocess.run(
        [sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True, env=environment, timeout=300
    )


@pytest.fixture
def standin() -> Iterator[HttpStandIn]:
    server = HttpStandIn().start()
    yield server
    server.stop()


def test_generate_image_with_gemini(tmp_path: Path, standin: HttpStandIn) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(buffer, format="PNG")
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(buffer.getvalue()).decode()}}
    standin.reply(Reply(body={"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP"}]}))
    out = tmp_path / "red.png"
    result = run_studio(
        ["generate", "image", "a red square", "-o", str(out), "--provider", "gemini"],
        tmp_path / "data",
        STUDIO_GEMINI_API_KEY="test-key",
        STUDIO_GEMINI_BASE_URL=standin.url,
        STUDIO_FALLBACK_PROVIDERS="",
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert (line["provider"], line["model"], line["placeholder"]) == ("gemini", "gemini-2.5-flash-image", False)
    assert np.asarray(Image.open(out))[0, 0].tolist() == [200, 10, 10]
    assert standin.received[0].path.endswith("/models/gemini-2.5-flash-image:generateContent")


def test_generate_speech_with_openai(tmp_path: Path, standin: HttpStandIn) -> None:
    standin.reply(Reply(raw=pcm16_to_wav(np.zeros(12000, "<i2").tobytes(), 24000), content_type="audio/wav"))
    out = tmp_path / "hello.wav"
    result = run_studio(
        ["generate", "speech", "Hello there", "-o", str(out), "--provider", "openai", "--voice", "nova"],
        tmp_path / "data",
        STUDIO_OPENAI_BASE_URL=f"{standin.url}/v1",
        STUDIO_FALLBACK_PROVIDERS="",
    )
    assert result.returncode == 0, result.stderr
    with wave.open(str(out)) as reader:
        assert reader.getnframes() == 12000
    assert standin.received[0].json()["voice"] == "nova"


def test_models_says_why_each_new_adapter_cannot_run(tmp_path: Path) -> None:
    result = run_studio(["models", "--no-smoke"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "│" in line]

    def reason(capability: str, provider: str) -> str:
        for row in rows:
            cells = [cell.strip() for cell in row.split("│")]
            if capability in cells and provider in cells:
                return cells[-2]
        raise AssertionError(f"no row for {capability} / {provider}")

    assert "STUDIO_GEMINI_API_KEY" in reason("image", "gemini")
    assert "STUDIO_OPENAI_API_KEY" in reason("speech", "openai")
    assert "STUDIO_FACESWAP_MODEL" in reason("face_swap", "insightface")
    assert "STUDIO_TALKING_HEAD_MODEL" in reason("talking_head", "wav2lip")


def test_a_provider_without_its_key_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    result = run_studio(["generate", "speech", "Hello", "-o", str(tmp_path / "x.wav"), "--provider", "openai"], tmp_path / "data")
    assert result.returncode == 2
    assert "STUDIO_OPENAI_API_KEY" in result.stderr
