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


def _uploaded(standin: ReplicateStandIn, url: str) -> bytes:
    return standin.uploads[url.rsplit("/", 1)[-1]][1]


def test_generate_image_reaches_edit_inpaint_face_swap_and_a_chosen_model(standin: ReplicateStandIn, tmp_path: Path) -> None:
    done = standin.serve_output("d.png", png_bytes(32, 32, (0, 200, 0)), "image/png")
    for model in ("black-forest-labs/flux-fill-pro", "cdingram/face-swap", "black-forest-labs/flux-dev"):
        standin.plans[model] = Plan(output=done)
    photo, mask, face = tmp_path / "photo.png", tmp_path / "mask.png", tmp_path / "face.png"
    photo.write_bytes(png_bytes(32, 32, (200, 40, 90)))
    mask.write_bytes(png_bytes(32, 32, (255, 255, 255)))
    face.write_bytes(png_bytes(32, 32, (90, 60, 40)))

    inpaint = run_studio(["generate", "image", "a blue sky", "--image", str(photo), "--mask", str(mask), "-o",
                          str(tmp_path / "sky.png"), "--provider", "replicate"], tmp_path / "data", **_env(standin))  # fmt: skip
    assert inpaint.returncode == 0, inpaint.stderr
    line = json.loads(inpaint.stdout.strip().splitlines()[-1])
    assert (line["provider"], line["model"], line["cost_usd"]) == ("replicate", "black-forest-labs/flux-fill-pro", 0.05)
    [filled] = standin.created("black-forest-labs/flux-fill-pro")
    assert filled.input["prompt"] == "a blue sky" and _uploaded(standin, filled.input["mask"]).startswith(b"\x89PNG")

    swap = run_studio(["generate", "image", "swap", "--image", str(photo), "--face", str(face), "-o",
                       str(tmp_path / "swap.png"), "--provider", "replicate"], tmp_path / "data", **_env(standin))  # fmt: skip
    assert swap.returncode == 0, swap.stderr
    assert json.loads(swap.stdout.strip().splitlines()[-1])["model"] == "cdingram/face-swap"
    [swapped] = standin.created("cdingram/face-swap")
    assert set(swapped.input) == {"input_image", "swap_image"}

    chosen = run_studio(["generate", "image", "a fox", "--model", "black-forest-labs/flux-dev", "-o",
                         str(tmp_path / "fox.png"), "--provider", "replicate"], tmp_path / "data", **_env(standin))  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    line = json.loads(chosen.stdout.strip().splitlines()[-1])
    assert (line["model"], line["placeholder"]) == ("black-forest-labs/flux-dev", False)
    assert not standin.created("black-forest-labs/flux-schnell")


def test_generate_video_with_audio_is_a_talking_head_and_speech_takes_a_model(standin: ReplicateStandIn, tmp_path: Path) -> None:
    standin.plans["cjwbw/sadtalker"] = Plan(output=standin.serve_output("t.mp4", mp4_bytes(1.0), "video/mp4"))
    standin.plans["minimax/speech-02-hd"] = Plan(output=standin.serve_output("s.wav", wav_bytes(0.5, 32000)))
    photo, speech = tmp_path / "photo.png", tmp_path / "hello.wav"
    photo.write_bytes(png_bytes(64, 64))
    speech.write_bytes(wav_bytes(1.0))
    clip = tmp_path / "talk.mp4"
    result = run_studio(["generate", "video", "talk", "--image", str(photo), "--audio", str(speech), "-o", str(clip),
                         "--provider", "replicate"], tmp_path / "data", **_env(standin))  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert (line["provider"], line["model"], line["cost_usd"]) == ("replicate", "cjwbw/sadtalker", 0.12)
    [talked] = standin.created("cjwbw/sadtalker")
    assert _uploaded(standin, talked.input["driven_audio"]) == speech.read_bytes()

    said = tmp_path / "said.wav"
    result = run_studio(["generate", "speech", "Hello.", "-o", str(said), "--provider", "replicate",
                         "--model", "minimax/speech-02-hd"], tmp_path / "data", **_env(standin))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "minimax/speech-02-hd on replicate" in result.stderr and standin.created("minimax/speech-02-hd")


def test_generate_refuses_options_that_need_a_picture(tmp_path: Path) -> None:
    result = run_studio(["generate", "image", "x", "--mask", str(tmp_path / "m.png")], tmp_path / "data")
    assert result.returncode == 2 and "--image PATH" in result.stderr
    result = run_studio(["generate", "video", "x", "--audio", str(tmp_path / "a.wav")], tmp_path / "data")
    assert result.returncode == 2 and "--image PATH" in result.stderr
