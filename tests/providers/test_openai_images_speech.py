"""OpenAI images (generation, edits) and speech through the real `openai` client, against a local HTTP stand-in."""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image

from engine.errors import InvalidRequest, ProviderError, ProviderUnavailable, RateLimited
from engine.providers.base import Capability, ImageRequest, SpeechRequest
from engine.providers.generative import ImageEditRequest
from engine.providers.media_codec import pcm16_to_wav
from engine.providers.openai_media import OpenAIImageEditor, OpenAIImageModel, OpenAISpeechModel
from engine.providers.registry import ProviderRegistry
from engine.settings import Settings
from tests.support.http_standin import HttpStandIn, Reply


def png_b64(color: tuple[int, int, int], size: tuple[int, int] = (6, 4)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def images_answer(b64: str, revised: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"b64_json": b64}
    if revised:
        item["revised_prompt"] = revised
    return {"created": 0, "data": [item]}


def multipart_fields(body: bytes, content_type: str) -> dict[str, bytes]:
    """The named parts of a multipart/form-data body."""
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields = {}
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, value = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        fields[name] = value
    return fields


@pytest.fixture
def standin() -> Iterator[HttpStandIn]:
    server = HttpStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def settings(standin: HttpStandIn) -> Settings:
    return Settings(
        openai_api_key="sk-test",
        openai_base_url=f"{standin.url}/v1",
        openai_image_model="gpt-image-1",
        openai_speech_model="gpt-4o-mini-tts",
        provider_timeout_s=1.0,
        provider_retries=1,
    )


def test_image_generation_round_trip(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=images_answer(png_b64((0, 255, 0)), revised="a green field")))
    [result] = OpenAIImageModel(settings).generate([ImageRequest(prompt="a green field", width=1024, height=640)])
    assert result.image.size == (6, 4) and result.image.getpixel((0, 0)) == (0, 255, 0)
    assert "a green field" in result.note
    sent = standin.received[0]
    assert sent.path == "/v1/images/generations"
    assert sent.headers["authorization"] == "Bearer sk-test"
    body = sent.json()
    assert (body["model"], body["size"], body["n"]) == ("gpt-image-1", "1536x1024", 1)
    assert "response_format" not in body  # gpt-image models refuse it


def test_other_image_models_are_asked_for_base64_at_the_size_wanted(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=images_answer(png_b64((1, 2, 3)))))
    model = OpenAIImageModel(settings.model_copy(update={"openai_image_model": "dall-e-2"}))
    model.generate([ImageRequest(prompt="x", width=512, height=512)])
    body = standin.received[0].json()
    assert (body["size"], body["response_format"]) == ("512x512", "b64_json")


def test_inpaint_edit_uploads_the_picture_and_a_transparent_mask(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=images_answer(png_b64((9, 9, 9), size=(16, 16)))))
    picture = np.full((4, 4, 3), 100, dtype=np.uint8)
    mask = np.zeros((4, 4), dtype=np.uint8)
    mask[:2] = 1
    [result] = OpenAIImageEditor(settings).edit([ImageEditRequest(image=picture, prompt="sky", mode="inpaint", mask=mask)])
    assert result.image.shape == (4, 4, 3) and tuple(result.image[0, 0]) == (9, 9, 9)  # drawn at 16x16, kept at 4x4
    sent = standin.received[0]
    assert sent.path == "/v1/images/edits"
    fields = multipart_fields(sent.body, sent.headers["content-type"])
    assert fields["prompt"] == b"sky" and fields["model"] == b"gpt-image-1"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(fields["image"]))), picture)
    alpha = np.asarray(Image.open(io.BytesIO(fields["mask"])))[..., 3]
    assert (alpha[:2] == 0).all() and (alpha[2:] == 255).all()


def test_inpaint_without_a_mask_is_refused_before_any_call(standin: HttpStandIn, settings: Settings) -> None:
    with pytest.raises(InvalidRequest, match="mask"):
        OpenAIImageEditor(settings).edit([ImageEditRequest(image=np.zeros((4, 4, 3), np.uint8), prompt="x", mode="inpaint")])
    assert standin.received == []


def test_img2img_is_left_to_the_next_adapter(standin: HttpStandIn, settings: Settings) -> None:
    with pytest.raises(ProviderUnavailable, match="not img2img"):
        OpenAIImageEditor(settings).edit([ImageEditRequest(image=np.zeros((4, 4, 3), np.uint8), prompt="x", mode="img2img")])
    assert standin.received == []


def test_rate_limit_is_retried_then_succeeds(standin: HttpStandIn, settings: Settings) -> None:
    limited = Reply(status=429, body={"error": {"message": "slow down"}}, headers={"retry-after-ms": "20"})
    standin.reply(limited, Reply(body=images_answer(png_b64((5, 5, 5)))))
    [result] = OpenAIImageModel(settings).generate([ImageRequest(prompt="x")])
    assert result.image.getpixel((0, 0)) == (5, 5, 5)
    assert len(standin.received) == 2


def test_rate_limit_that_persists_carries_its_retry_after(standin: HttpStandIn, settings: Settings) -> None:
    limited = Reply(status=429, body={"error": {"message": "slow down"}}, headers={"retry-after-ms": "20", "retry-after": "30"})
    standin.reply(limited, limited)
    with pytest.raises(RateLimited) as caught:
        OpenAIImageModel(settings).generate([ImageRequest(prompt="x")])
    assert caught.value.retry_after == 30


def test_server_error_is_a_provider_error(standin: HttpStandIn, settings: Settings) -> None:
    boom = Reply(status=500, body={"error": {"message": "boom"}}, headers={"retry-after-ms": "10"})
    standin.reply(boom, boom)
    with pytest.raises(ProviderError, match="500"):
        OpenAIImageModel(settings).generate([ImageRequest(prompt="x")])


def test_timeout_names_the_setting(standin: HttpStandIn, settings: Settings) -> None:
    late = Reply(body=images_answer(png_b64((1, 1, 1))), delay_s=2.0)
    standin.reply(late, late)
    with pytest.raises(ProviderUnavailable, match="STUDIO_PROVIDER_TIMEOUT_S"):
        OpenAIImageModel(settings.model_copy(update={"provider_retries": 0})).generate([ImageRequest(prompt="x")])


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (Reply(body={"created": 0, "data": []}), "without an image"),
        (Reply(body=images_answer("***not base64***")), "not valid base64"),
        (Reply(body=images_answer(base64.b64encode(b"not a png").decode())), "does not decode"),
        (Reply(raw=b"{not json"), "openai"),
    ],
)
def test_malformed_image_answers_are_provider_errors(standin: HttpStandIn, settings: Settings, reply: Reply, match: str) -> None:
    standin.reply(reply)
    with pytest.raises(ProviderError, match=match):
        OpenAIImageModel(settings).generate([ImageRequest(prompt="x")])


def streamed_wav(seconds: float, rate: int = 24000) -> bytes:
    """A WAV as streaming TTS servers send it: the header's data length is a placeholder."""
    wav = bytearray(pcm16_to_wav(np.zeros(int(seconds * rate), dtype="<i2").tobytes(), rate))
    wav[4:8] = (0xFFFFFFFF).to_bytes(4, "little")
    wav[40:44] = (0xFFFFFFFF).to_bytes(4, "little")
    return bytes(wav)


def test_speech_round_trip_maps_voice_and_rate(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(raw=streamed_wav(0.5), content_type="audio/wav"), Reply(raw=streamed_wav(0.25), content_type="audio/wav"))
    model = OpenAISpeechModel(settings)
    first, second = model.synthesize(
        [SpeechRequest(text="Hello there", voice="nova", rate=350), SpeechRequest(text="Again", voice="en-us")]
    )
    assert (first.sample_rate, first.duration_s, second.duration_s) == (24000, 0.5, 0.25)
    with wave.open(io.BytesIO(first.wav)) as reader:
        assert reader.getnframes() == 12000  # the header now tells the truth
    sent = [received.json() for received in standin.received]
    assert standin.received[0].path == "/v1/audio/speech"
    assert (sent[0]["voice"], sent[0]["speed"], sent[0]["response_format"]) == ("nova", 2.0, "wav")
    assert (sent[1]["voice"], sent[1]["model"]) == ("alloy", "gpt-4o-mini-tts")
    assert model.working_voices(["en-us", "nova", "shimmer"]) == ["nova", "shimmer"]


def test_speech_that_is_not_wav_is_a_provider_error(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(raw=b"ID3 mp3 bytes", content_type="audio/mpeg"))
    with pytest.raises(ProviderError, match="not a WAV"):
        OpenAISpeechModel(settings).synthesize([SpeechRequest(text="hi")])


def test_compatible_server_needs_only_a_base_url_and_registry_explains_a_missing_key() -> None:
    registry = ProviderRegistry(Settings(openai_api_key=None, openai_base_url=None))
    registry.load_plugins()
    statuses = {(s.capability, s.provider): s for s in registry.statuses()}
    for capability in (Capability.IMAGE, Capability.IMAGE_EDIT, Capability.SPEECH):
        assert "STUDIO_OPENAI_API_KEY" in statuses[(capability, "openai")].reason
    local = ProviderRegistry(Settings(openai_base_url="http://127.0.0.1:11434/v1"))
    local.load_plugins()
    assert "openai" in local.runnable(Capability.SPEECH)
