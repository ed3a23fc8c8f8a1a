"""The OpenAI adapter through the real `openai` client, against a local stand-in server."""


import numpy as np
import pytest

from engine.errors import ProviderError, ProviderUnavailable, RateLimited
from engine.providers.base import TextRequest
from engine.providers.openai_adapter import OpenAIEmbedder, OpenAITextModel
from tests.support.openai_standin import OpenAIStandIn, Scripted, chat_completion


@pytest.fixture
def model(openai_standin: OpenAIStandIn) -> OpenAITextModel:
    return OpenAITextModel("test-key", "local-model", openai_standin.base_url, timeout_s=1.0)


def test_chat_completion_round_trip(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.append(Scripted(body=chat_completion("Paris", tokens=1)))
    request = TextRequest.from_prompt("Capital of France?", system="Be brief.", max_new_tokens=5, temperature=0, json_mode=True)
    [result] = model.generate([request])
    assert (result.text, result.tokens) == ("Paris", 1)
    sent = openai_standin.received[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["messages"][0] == {"role": "system", "content": "Be brief."}
    assert sent["body"]["response_format"] == {"type": "json_object"}
    assert sent["body"]["max_tokens"] == 5


def test_streaming_yields_each_piece(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.append(Scripted(stream=["Once", " upon", " a time"]))
    assert list(model.stream(TextRequest.from_prompt("Tell a story"))) == ["Once", " upon", " a time"]


def test_server_error_becomes_a_provider_error(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.extend([Scripted(status=500, body={"error": {"message": "boom"}})] * 2)  # the client retries once
    with pytest.raises(ProviderError, match="500"):
        model.generate([TextRequest.from_prompt("hi")])


def test_malformed_json_is_a_provider_error(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.append(Scripted(raw="{not json"))
    with pytest.raises(ProviderError):
        model.generate([TextRequest.from_prompt("hi")])


def test_timeout_says_which_setting_to_raise(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.extend([Scripted(delay_s=2.5, body=chat_completion("late"))] * 2)
    with pytest.raises(ProviderUnavailable, match="STUDIO_PROVIDER_TIMEOUT_S"):
        model.generate([TextRequest.from_prompt("hi")])


def test_rate_limit_carries_retry_after(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.extend([Scripted(status=429, body={"error": {"message": "slow down"}})] * 2)
    with pytest.raises(RateLimited) as caught:
        model.generate([TextRequest.from_prompt("hi")])
    assert caught.value.retry_after > 0


def test_bad_key_names_the_setting(openai_standin: OpenAIStandIn, model: OpenAITextModel) -> None:
    openai_standin.script.append(Scripted(status=401, body={"error": {"message": "invalid key"}}))
    with pytest.raises(ProviderUnavailable, match="STUDIO_OPENAI_API_KEY"):
        model.generate([TextRequest.from_prompt("hi")])


def test_embeddings_are_normalised(openai_standin: OpenAIStandIn) -> None:
    body = {
        "object": "list",
        "model": "e",
        "data": [{"object": "embedding", "index": i, "embedding": [3.0, 4.0]} for i in range(2)],
        "usage": {"prompt_tokens": 2, "total_tokens": 2},
    }
    openai_standin.script.append(Scripted(body=body))
    vectors = OpenAIEmbedder("k", "e", openai_standin.base_url, 1.0).embed(["a", "b"])
    assert vectors.shape == (2, 2)
    assert np.allclose(vectors[0], [0.6, 0.8])
