"""`studio models` and `studio generate image|video|speech --provider replicate`, as a script would
run them (a subprocess), against the local Replicate stand-in."""

from __future__ import annotations

import json
import wave
from pathlib import Path

from tests.support.media_samples import mp4_bytes, png_bytes, wav_bytes
from tests.support.replicate_standin import Plan, ReplicateStandIn
from tests.test_cli import run_studio


def _env(standin: ReplicateStandIn) -> dict[str, str]:
    return {"STUDIO_REPLICATE_API_TOKEN": "r8_cli", "STUDIO_REPLICATE_BASE_URL": standin.base_url,
            "STUDIO_REPLICATE_POLL_S": "0.01"}  # fmt: skip


def test_models_says_why_replicate_is_unavailable(tmp_path: Path) -> None:
    result = run_studio(["models", "--no-smoke"], tmp_path / "data", STUDIO_REPLICATE_API_TOKEN="", COLUMNS="300")
    assert result.returncode == 0, result.stderr
    adapters = result.stdout.split("Intent catalogue")[0]
    rows = [line for line in adapters.splitlines() if "│ replicate " in line]
    assert len(rows) == 8 and all("set STUDIO_REPLICATE_API_TOKEN to use it" in row for row in rows)
    gaps = result.stdout.split("Intent catalogue")[1]
    assert "black-forest-labs/flux-kontext-pro" in gaps and "STUDIO_REPLICATE_API_TOKEN" in gaps


def test_generate_image_and_video_with_replicate(standin: ReplicateStandIn, tmp_path: Path) -> None:
    picture = png_bytes(40, 24)
    standin.plans["black-forest-labs/flux-schnell"] = Plan(output=[standin.serve_output("p.png", picture, "image/png")])
    out = tmp_path / "fox.png"
    result = run_studio(["generate", "image", "a fox", "-o", str(out), "--provider", "replicate"], tmp_path / "data",
                        **_env(standin))  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert (line["provider"], line["model"]) == ("replicate", "black-forest-labs/flux-schnell")
    from PIL import Image

    assert Image.open(out).size == (40, 24)

    standin.plans["lightricks/ltx-video"] = Plan(
        output=[standin.serve_output("v.mp4", mp4_bytes(1.0), "video/mp4")],
        polls=[("starting", ""), ("processing", " 40%|████      | 2/5")],
    )
    clip = tmp_path / "waves.mp4"
    result = run_studio(["generate", "video", "waves at dusk", "-o", str(clip), "--provider", "replicate",
                         "--model", "lightricks/ltx-video"], tmp_path / "data", **_env(standin))  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert (line["provider"], line["model"], line["duration_s"]) == ("replicate", "lightricks/ltx-video", 1.0)
    assert line["cost_usd"] == 0.01 and clip.read_bytes() == standin.outputs["v.mp4"][0]
    assert "42% lightricks/ltx-video: 2/5 (40%)" in result.stderr


def test_generate_speech_in_a_cloned_voice(standin: ReplicateStandIn, tmp_path: Path) -> None:
    standin.plans["minimax/voice-cloning"] = Plan(output={"voice_id": "r8_cli_voice"})
    standin.plans["minimax/speech-02-turbo"] = Plan(output=standin.serve_output("s.wav", wav_bytes(0.75, 32000)))
    sample = tmp_path / "ada.wav"
    sample.write_bytes(wav_bytes(1.0))
    out = tmp_path / "said.wav"
    result = run_studio(["generate", "speech", "Hello.", "-o", str(out), "--provider", "replicate",
                         "--clone-from", str(sample)], tmp_path / "data", **_env(standin))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "r8_cli_voice" in result.stderr
    with wave.open(str(out)) as said:
        assert said.getframerate() == 32000
    [spoken] = standin.created("minimax/speech-02-turbo")
    assert spoken.input["voice_id"] == "r8_cli_voice"
