"""The Gemini adapter through the real google-genai client, against a local HTTP stand-in."""

from __future__ import annotations

import base64
import io
import re
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from engine.errors import ContentRejected, ProviderError, ProviderUnavailable, RateLimited
from engine.providers.base import Capability, ChatMessage, ImageRequest, SpeechRequest, TextRequest
from engine.providers.gateway import ModelGateway
from engine.providers.gemini_adapter import GeminiImageEditor, GeminiImageModel, GeminiTextModel
from engine.providers.gemini_speech import GeminiSpeechModel
from engine.providers.generative import ImageEditRequest
from engine.providers.registry import ProviderRegistry
from engine.settings import Settings, load_settings
from storage.database import Database
from storage.generations import GenerationLog
from tests.support.http_standin import HttpStandIn, Reply


def answer(*parts: dict[str, Any], finish: str = "STOP", tokens: int = 2) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}}
    if finish:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": tokens, "totalTokenCount": 4 + tokens},
    }


def png_part(color: tuple[int, int, int], size: tuple[int, int] = (8, 6)) -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(buffer.getvalue()).decode()}}


@pytest.fixture
def standin() -> Iterator[HttpStandIn]:
    server = HttpStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def settings(standin: HttpStandIn) -> Settings:
    return Settings(
        gemini_api_key="test-key",
        gemini_base_url=standin.url,
        gemini_text_model="gemini-test",
        gemini_image_model="gemini-test-image",
        provider_timeout_s=1.0,
        provider_retries=2,
        provider_retry_max_wait_s=5.0,
    )


def test_text_round_trip_sends_system_history_and_json_mode(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=answer({"text": '{"city": "Paris"}'}, tokens=6)))
    request = TextRequest(
        messages=(
            ChatMessage(role="system", content="Answer in JSON."),
            ChatMessage(role="user", content="Capital of France?"),
            ChatMessage(role="assistant", content="Which field?"),
            ChatMessage(role="user", content="city"),
        ),
        max_new_tokens=20,
        temperature=0,
        json_mode=True,
        stop=("###",),
        seed=7,
    )
    [result] = GeminiTextModel(settings).generate([request])
    assert (result.text, result.tokens, result.finish_reason) == ('{"city": "Paris"}', 6, "stop")
    sent = standin.received[0]
    assert sent.path.endswith("/models/gemini-test:generateContent")
    assert sent.headers.get("x-goog-api-key") == "test-key"
    body = sent.json()
    assert body["systemInstruction"]["parts"][0]["text"] == "Answer in JSON."
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert (config["maxOutputTokens"], config["stopSequences"], config["seed"]) == (20, ["###"], 7)


def test_stream_yields_each_piece(standin: HttpStandIn, settings: Settings) -> None:
    pieces = ["Once", " upon", " a time"]
    standin.reply(Reply(events=[answer({"text": piece}, finish="") for piece in pieces]))
    assert list(GeminiTextModel(settings).stream(TextRequest.from_prompt("Tell a story"))) == pieces
    assert standin.received[0].path.endswith(":streamGenerateContent")
    assert standin.received[0].query == {"alt": ["sse"]}


def test_a_stream_refused_at_the_start_is_retried(standin: HttpStandIn, settings: Settings) -> None:
    limited = Reply(status=429, body={"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}, headers={"retry-after": "0.05"})
    standin.reply(limited, Reply(events=[answer({"text": "late"}, finish=""), answer({"text": " start"})]))
    assert list(GeminiTextModel(settings).stream(TextRequest.from_prompt("hi"))) == ["late", " start"]
    assert len(standin.received) == 2


def test_a_stream_that_breaks_off_is_a_provider_error(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(raw=b'data: {"candidates": [{"content": {"role": "model", "parts": [{"text": "Once"}]}}]}\r\n\r\ndata: {broken\r\n\r\n', content_type="text/event-stream"))
    pieces = GeminiTextModel(settings).stream(TextRequest.from_prompt("hi"))
    assert next(pieces) == "Once"
    with pytest.raises(ProviderError):
        list(pieces)


def test_rate_limit_is_retried_after_the_wait_it_asks(standin: HttpStandIn, settings: Settings) -> None:
    limited = Reply(status=429, body={"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}, headers={"retry-after": "0.05"})
    standin.reply(limited, Reply(body=answer({"text": "ok"})))
    [result] = GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])
    assert result.text == "ok"
    assert len(standin.received) == 2


def test_rate_limit_longer_than_the_longest_wait_fails_at_once_with_its_retry_after(
    standin: HttpStandIn, settings: Settings
) -> None:
    standin.reply(Reply(status=429, body={"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}, headers={"retry-after": "120"}))
    with pytest.raises(RateLimited) as caught:
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])
    assert caught.value.retry_after == 120
    assert len(standin.received) == 1


def test_retry_info_in_the_error_body_is_honoured(standin: HttpStandIn, settings: Settings) -> None:
    error = {
        "error": {
            "code": 429,
            "message": "quota",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "90s"}],
        }
    }
    standin.reply(Reply(status=429, body=error))
    with pytest.raises(RateLimited) as caught:
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])
    assert caught.value.retry_after == 90


def test_server_errors_are_retried_then_reported(standin: HttpStandIn, settings: Settings) -> None:
    boom = Reply(status=500, body={"error": {"code": 500, "message": "boom", "status": "INTERNAL"}})
    standin.reply(boom, boom, boom)
    with pytest.raises(ProviderError, match="500"):
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])
    assert len(standin.received) == 3  # the first call and STUDIO_PROVIDER_RETRIES=2


def test_timeout_names_the_setting(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=answer({"text": "late"}), delay_s=2.0))
    with pytest.raises(ProviderUnavailable, match="STUDIO_PROVIDER_TIMEOUT_S"):
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])


def test_malformed_answer_is_a_provider_error(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(raw=b"{not json"))
    with pytest.raises(ProviderError, match="malformed"):
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])


def test_bad_key_names_the_setting(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(status=403, body={"error": {"code": 403, "message": "API key not valid", "status": "PERMISSION_DENIED"}}))
    with pytest.raises(ProviderUnavailable, match="STUDIO_GEMINI_API_KEY"):
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])


def test_blocked_prompt_is_content_rejected(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body={"promptFeedback": {"blockReason": "SAFETY"}}))
    with pytest.raises(ContentRejected):
        GeminiTextModel(settings).generate([TextRequest.from_prompt("hi")])


def test_image_generation_decodes_the_inline_picture(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=answer({"text": "A red square."}, png_part((255, 0, 0)))))
    [result] = GeminiImageModel(settings).generate([ImageRequest(prompt="a red square", width=1024, height=576)])
    assert result.image.size == (8, 6)
    assert result.image.getpixel((0, 0)) == (255, 0, 0)
    assert not result.is_placeholder
    config = standin.received[0].json()["generationConfig"]
    assert "IMAGE" in config["responseModalities"]
    assert config["imageConfig"]["aspectRatio"] == "16:9"


def test_an_answer_without_an_image_says_what_the_model_said(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=answer({"text": "I can only describe it."})))
    with pytest.raises(ProviderError, match="without an image: I can only describe it"):
        GeminiImageModel(settings).generate([ImageRequest(prompt="a cat")])


def test_an_image_that_does_not_decode_is_a_provider_error(standin: HttpStandIn, settings: Settings) -> None:
    bogus = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(b"not a png").decode()}}
    standin.reply(Reply(body=answer(bogus)))
    with pytest.raises(ProviderError, match="does not decode"):
        GeminiImageModel(settings).generate([ImageRequest(prompt="a cat")])


def test_instruction_edit_sends_the_picture_and_returns_the_new_one(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=answer(png_part((0, 0, 255), size=(8, 8)))))
    source = np.full((4, 6, 3), 200, dtype=np.uint8)
    [result] = GeminiImageEditor(settings).edit([ImageEditRequest(image=source, prompt="make it blue")])
    assert result.image.shape == (4, 6, 3) and tuple(result.image[0, 0]) == (0, 0, 255)  # drawn at 8x8, kept at 6x4
    parts = standin.received[0].json()["contents"][0]["parts"]
    sent = Image.open(io.BytesIO(base64.b64decode(parts[0]["inlineData"]["data"])))
    assert np.array_equal(np.asarray(sent), source)
    assert parts[1]["text"] == "make it blue"


def test_masked_edits_are_left_to_the_next_adapter(settings: Settings) -> None:
    request = ImageEditRequest(image=np.zeros((4, 4, 3), np.uint8), prompt="x", mode="inpaint", mask=np.ones((4, 4), np.uint8))
    with pytest.raises(ProviderUnavailable, match="instruction only"):
        GeminiImageEditor(settings).edit([request])


def test_registry_says_why_gemini_cannot_run_without_a_key() -> None:
    registry = ProviderRegistry(Settings(gemini_api_key=None))
    registry.load_plugins()
    statuses = {(s.capability, s.provider): s for s in registry.statuses()}
    for capability in (Capability.TEXT, Capability.IMAGE, Capability.IMAGE_EDIT):
        status = statuses[(capability, "gemini")]
        assert not status.available and "STUDIO_GEMINI_API_KEY" in status.reason
    ready = ProviderRegistry(Settings(gemini_api_key="k"))
    ready.load_plugins()
    assert "gemini" in ready.runnable(Capability.IMAGE)


def test_the_gateway_falls_back_when_gemini_fails_and_says_so(standin: HttpStandIn, data_dir: Path, db: Database) -> None:
    settings = load_settings(
        data_dir=data_dir, image_provider="gemini", fallback_providers="embedded", gemini_api_key="k",
        gemini_base_url=standin.url, provider_retries=0, _env_file=None,
    )
    registry = ProviderRegistry(settings)
    registry.load_plugins()
    log = GenerationLog(db)
    gateway = ModelGateway(registry, log)
    standin.reply(Reply(status=503, body={"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}))
    served = gateway.image.generate_served([ImageRequest(prompt="a lighthouse at dusk")])
    assert (served.provider, served.fallback_from) == ("embedded", "gemini")
    failed, ok = sorted(log.recent(2), key=lambda record: record.outcome)
    assert (failed.provider, failed.outcome, ok.provider) == ("gemini", "error", "embedded")
    assert "503" in (failed.error or "")
    log.close()
    registry.close()


def test_speech_wraps_the_pcm_answer_in_a_wav(standin: HttpStandIn, settings: Settings) -> None:
    pcm = np.arange(-2400, 2400, dtype="<i2").tobytes()  # 4800 samples: 0.2 s at 24 kHz
    audio = {"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": base64.b64encode(pcm).decode()}}
    standin.reply(Reply(body=answer(audio)), Reply(body=answer(audio)))
    model = GeminiSpeechModel(settings)
    first, second = model.synthesize([SpeechRequest(text="Hello", voice="Puck"), SpeechRequest(text="Again", voice="en-us")])
    assert (first.sample_rate, first.duration_s) == (24000, 0.2)
    with wave.open(io.BytesIO(first.wav)) as reader:
        assert reader.readframes(reader.getnframes()) == pcm
    # The SDK writes speechConfig's inner names in snake_case; the API reads either spelling.
    voices = [re.search(r'"voice_?[nN]ame": "(\w+)"', r.body.decode()).group(1) for r in standin.received]  # type: ignore[union-attr]
    assert voices == ["Puck", "Kore"]
    assert standin.received[0].json()["generationConfig"]["responseModalities"] == ["AUDIO"]


def test_speech_answer_without_audio_is_a_provider_error(standin: HttpStandIn, settings: Settings) -> None:
    standin.reply(Reply(body=answer({"text": "I cannot speak."})))
    with pytest.raises(ProviderError, match="without audio"):
        GeminiSpeechModel(settings).synthesize([SpeechRequest(text="Hello")])
