"""Every capability of the Replicate adapter through the real `replicate` client, against a local
stand-in of the predictions API, through the real registry and gateway (records on real DuckDB)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.intent.catalogue import load_catalogue
from engine.providers.base import Capability, ImageRequest, SpeechRequest
from engine.providers.gateway import CallContext
from engine.providers.generative import (
    FaceSwapRequest,
    ImageEditRequest,
    ImageToVideoRequest,
    TalkingHeadRequest,
    TextToVideoRequest,
    VoiceCloneRequest,
)
from engine.providers.registry import ProviderRegistry
from engine.providers.replicate.mapping import load_models
from engine.settings import load_settings
from storage.database import Database
from tests.providers.replicate_fixtures import Remote
from tests.support.media_samples import mp4_bytes, png_bytes, wav_bytes
from tests.support.replicate_standin import Plan, ReplicateStandIn

FACE = np.full((40, 30, 3), 120, np.uint8)


def test_text_to_image_round_trip_is_recorded_with_actual_cost_and_time(standin: ReplicateStandIn, remote: Remote) -> None:
    url = standin.serve_output("out.png", png_bytes(48, 32), "image/png")
    standin.plans["black-forest-labs/flux-schnell"] = Plan(output=[url], metrics={"predict_time": 2.25})
    served = remote.gateway.image.generate_served(
        [ImageRequest(prompt="a red fox in snow", width=1024, height=576, seed=7)], CallContext(owner="u1")
    )
    [result] = served.value
    assert (served.provider, served.model) == ("replicate", "black-forest-labs/flux-schnell")
    assert result.image.size == (48, 32) and not result.is_placeholder
    [prediction] = standin.created()
    assert prediction.input == {"prompt": "a red fox in snow", "aspect_ratio": "16:9", "seed": 7,
                                "output_format": "png", "num_outputs": 1}  # fmt: skip
    assert standin.tokens == {"Bearer r8_test"}
    [record] = remote.log.recent(owner="u1")
    assert (record.provider, record.model, record.outcome) == ("replicate", "black-forest-labs/flux-schnell", "ok")
    assert record.cost_usd == pytest.approx(0.003) and record.estimated_cost_usd == pytest.approx(0.003)
    assert record.remote_seconds == pytest.approx(2.25) and record.remote_id == prediction.id


def test_a_catalogue_pick_runs_that_model_and_costs_its_price(standin: ReplicateStandIn, remote: Remote) -> None:
    url = standin.serve_output("dev.png", png_bytes(), "image/png")
    standin.plans["black-forest-labs/flux-dev"] = Plan(output=[url])
    served = remote.gateway.image.generate_served(
        [ImageRequest(prompt="a lighthouse", steps=20, guidance=3.5)], CallContext(model="black-forest-labs/flux-dev")
    )
    assert served.model == "black-forest-labs/flux-dev" and served.cost_usd == pytest.approx(0.025)
    [prediction] = standin.created()
    assert prediction.model == "black-forest-labs/flux-dev"
    assert prediction.input["num_inference_steps"] == 20 and prediction.input["guidance"] == 3.5


def test_a_batch_runs_as_concurrent_predictions_in_request_order(standin: ReplicateStandIn, remote: Remote) -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    urls = [standin.serve_output(f"{i}.png", png_bytes(colour=c), "image/png") for i, c in enumerate(colours)]
    plan = Plan(output=None)
    standin.plans["black-forest-labs/flux-schnell"] = plan
    # one output per prediction, matched by the prompt it was given
    outputs = dict(zip(["a", "b", "c"], urls, strict=True))
    original = standin._json

    def by_prompt(prediction):  # type: ignore[no-untyped-def]
        answer = original(prediction)
        if answer["status"] == "succeeded":
            answer["output"] = [outputs[prediction.input["prompt"]].replace("{base}", standin.base_url)]
        return answer

    standin._json = by_prompt  # type: ignore[method-assign]
    results = remote.gateway.image.generate([ImageRequest(prompt=p) for p in "abc"])
    assert [r.image.getpixel((0, 0)) for r in results] == colours
    assert len(standin.created()) == 3


def test_image_edit_uploads_the_picture_and_inpaint_picks_a_fill_model(standin: ReplicateStandIn, remote: Remote) -> None:
    url = standin.serve_output("edit.png", png_bytes(30, 40), "image/png")
    standin.plans["black-forest-labs/flux-kontext-pro"] = Plan(output=url)
    standin.plans["black-forest-labs/flux-fill-pro"] = Plan(output=url)
    served = remote.gateway.image_edit.edit_served([ImageEditRequest(image=FACE, prompt="give her curtain bangs")])
    assert served.model == "black-forest-labs/flux-kontext-pro"
    assert served.value[0].image.shape == (40, 30, 3)
    [kontext] = standin.created("black-forest-labs/flux-kontext-pro")
    name, data = next(iter(standin.uploads.values()))
    assert kontext.input["input_image"].endswith("/files/" + next(iter(standin.uploads))) and data[:4] == b"\x89PNG"

    mask = np.zeros(FACE.shape[:2], np.uint8)
    mask[5:15, 5:15] = 1
    served = remote.gateway.image_edit.edit_served([ImageEditRequest(image=FACE, prompt="a hat", mode="inpaint", mask=mask)])
    assert served.model == "black-forest-labs/flux-fill-pro" and served.cost_usd == pytest.approx(0.05)
    [fill] = standin.created("black-forest-labs/flux-fill-pro")
    assert {"image", "mask", "prompt"} <= set(fill.input)


def test_face_swap_and_talking_head(standin: ReplicateStandIn, remote: Remote) -> None:
    standin.plans["cdingram/face-swap"] = Plan(output=standin.serve_output("swap.png", png_bytes(), "image/png"))
    standin.plans["cjwbw/sadtalker"] = Plan(output=standin.serve_output("talk.mp4", mp4_bytes(1.0), "video/mp4"))
    [swapped] = remote.gateway.face_swap.swap([FaceSwapRequest(face=FACE, target=FACE)])
    assert swapped.image.shape == (32, 48, 3) and "cdingram/face-swap" in swapped.operations[0]
    [swap] = standin.created("cdingram/face-swap")
    assert {"input_image", "swap_image"} == set(swap.input)
    [clip] = remote.gateway.talking_head.animate([TalkingHeadRequest(image=FACE, audio_wav=wav_bytes())])
    assert (clip.width, clip.height, clip.duration_s) == (64, 48, pytest.approx(1.0))
    [talk] = standin.created("cjwbw/sadtalker")
    assert talk.input["still"] is True and talk.input["driven_audio"].startswith(standin.base_url)
    assert any(name == "audio.wav" for name, _ in standin.uploads.values())


def test_video_costs_its_price_per_second_of_the_clip_that_came_back(standin: ReplicateStandIn, remote: Remote) -> None:
    clip = standin.serve_output("clip.mp4", mp4_bytes(2.0), "video/mp4")
    standin.plans["kwaivgi/kling-v2.1"] = Plan(output=clip)
    standin.plans["minimax/video-01"] = Plan(output=clip)
    served = remote.gateway.image_to_video.animate_served([ImageToVideoRequest(image=FACE, prompt="she waves", seconds=7)])
    assert served.model == "kwaivgi/kling-v2.1" and served.cost_usd == pytest.approx(0.05 * 2.0)
    [kling] = standin.created("kwaivgi/kling-v2.1")
    assert kling.input["duration"] == 5 and kling.input["mode"] == "standard"
    [made] = remote.gateway.text_to_video.generate([TextToVideoRequest(prompt="waves at dusk")])
    assert made.duration_s == pytest.approx(2.0)
    records = {r.capability: r for r in remote.log.recent()}
    assert records["image_to_video"].estimated_cost_usd == pytest.approx(0.05 * 7)
    assert records["text_to_video"].cost_usd == pytest.approx(0.10 * 2.0)


def test_voice_cloning_then_speech_in_the_cloned_voice(standin: ReplicateStandIn, remote: Remote) -> None:
    standin.plans["minimax/voice-cloning"] = Plan(output={"voice_id": "r8_voice_ada", "preview": None})
    standin.plans["minimax/speech-02-turbo"] = Plan(output=standin.serve_output("say.wav", wav_bytes(0.5, 32000, 2)))
    [cloned] = remote.gateway.voice_clone.clone([VoiceCloneRequest(wav=wav_bytes(), name="Ada")])
    assert cloned.voice_id == "r8_voice_ada"
    [spoken] = remote.gateway.speech.synthesize([SpeechRequest(text="Hello there.", voice=cloned.voice_id, rate=210)])
    assert (spoken.sample_rate, spoken.duration_s) == (32000, pytest.approx(0.5))
    assert spoken.wav[:4] == b"RIFF"  # converted to mono 16-bit WAV
    [say] = standin.created("minimax/speech-02-turbo")
    assert say.input["voice_id"] == "r8_voice_ada" and say.input["speed"] == 1.2
    remote.gateway.speech.synthesize([SpeechRequest(text="Hi.", voice="en-us")])
    assert standin.created("minimax/speech-02-turbo")[1].input["voice_id"] == "Wise_Woman"


def test_without_a_token_every_replicate_adapter_says_which_setting_to_set(data_dir: Path) -> None:
    registry = ProviderRegistry(load_settings(data_dir=data_dir, _env_file=None))
    registry.load_plugins()
    rows = [s for s in registry.statuses() if s.provider == "replicate"]
    assert {r.capability for r in rows} == {
        Capability.IMAGE, Capability.IMAGE_EDIT, Capability.FACE_SWAP, Capability.TALKING_HEAD,
        Capability.IMAGE_TO_VIDEO, Capability.TEXT_TO_VIDEO, Capability.SPEECH, Capability.VOICE_CLONE,
    }  # fmt: skip
    assert all(not r.available and "STUDIO_REPLICATE_API_TOKEN" in r.reason and not r.local for r in rows)
    assert "replicate" not in registry.runnable(Capability.FACE_SWAP)


def test_every_catalogue_replicate_model_has_an_input_mapping_and_one_price() -> None:
    models = load_models()
    catalogue = load_catalogue()
    listed = {o.model_id for w in catalogue.workflows.values() for o in w.models if o.provider == "replicate"}
    unmapped = listed - set(models.models)
    assert unmapped == {"cuuupid/idm-vton"}  # a try-on needs a garment picture no edit request carries
    for model_id, model in models.models.items():
        assert models.price(model_id) is not None, model_id
        assert (model.price is None) == (model_id in listed), model_id  # priced in exactly one place


def test_records_survive_a_round_trip_through_duckdb(standin: ReplicateStandIn, db: Database, remote: Remote) -> None:
    standin.plans["black-forest-labs/flux-schnell"] = Plan(output=[standin.serve_output("r.png", png_bytes(), "image/png")])
    remote.gateway.image.generate([ImageRequest(prompt="x")])
    remote.log.flush()
    row = db.cursor().execute("SELECT estimated_cost_usd, remote_seconds, remote_id FROM generations").fetchone()
    assert row[0] == pytest.approx(0.003) and row[1] == pytest.approx(1.5) and row[2]
