"""The `llm` method through the real OpenAI adapter and `openai` client, against a local stand-in for
the chat-completions API: good answers, malformed JSON, 500s and timeouts, and the circuit breaker
that opens, shows in `breaker_rows`, and closes again after a good trial call."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from engine.engine import Engine, build_engine
from engine.intent import Method
from engine.ownership import Owner
from engine.settings import Settings
from tests.support.openai_standin import OpenAIStandIn, Scripted, chat_completion


@pytest.fixture
def engine(engine_settings: Settings, openai_standin: OpenAIStandIn) -> Iterator[Engine]:
    settings = engine_settings.model_copy(
        update={
            "text_provider": "openai",
            "openai_api_key": SecretStr("test-key"),
            "openai_base_url": openai_standin.base_url,
            "openai_text_model": "local-model",
            "fallback_providers": [],
            "provider_timeout_s": 1.0,
            "breaker_fail_max": 2,
            "breaker_reset_s": 5.0,  # longer than the LLM's retries with backoff
        }
    )
    with build_engine(settings) as built:
        yield built


def _verdict(workflow: str) -> Scripted:
    answer = {"workflow": workflow, "confidence": 0.9, "reasoning": "asks to move the still", "requires_web_search": False}
    return Scripted(body=chat_completion(json.dumps(answer)))


def _breaker_state(engine: Engine) -> str:
    return {row["provider"]: row for row in engine.intent.breaker_rows()}["openai"]["state"]


def _logged_breaker_states(engine: Engine) -> list[str | None]:
    engine.intent.flush()
    rows = engine.db.cursor().execute(
        "SELECT breaker_state FROM intent_classifications WHERE method = 'llm' ORDER BY created_at"
    ).fetchall()
    return [row[0] for row in rows]


def test_a_valid_answer_is_used(engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.script.append(_verdict("image_to_video"))
    result = engine.intent.classify("bring this still to life", True, Method.LLM, owner=Owner("u1"))
    assert (result.workflow_type.value, result.method, result.fallback_used) == ("image_to_video", Method.LLM, None)
    assert openai_standin.received[0]["path"] == "/v1/chat/completions"
    assert _breaker_state(engine) == "closed"


def test_malformed_json_falls_back_without_tripping_the_breaker(engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.script.extend(Scripted(body=chat_completion("I think this is some kind of edit")) for _ in range(3))
    result = engine.intent.classify("make the sky purple in this photo", True, Method.LLM, owner=Owner("u1"))
    assert result.fallback_used is Method.EMBEDDING and "LLM failed" in result.reasoning
    assert _breaker_state(engine) == "closed"


def test_server_errors_open_the_breaker_and_a_good_trial_closes_it(engine: Engine, openai_standin: OpenAIStandIn) -> None:
    # Load the fallback classifier first: the breaker's reset clock starts when it opens, and a
    # cold embedding head loading inside that window would let the next call through as a trial.
    engine.intent.classify("warm up the fallback classifier", True, Method.EMBEDDING, owner=Owner("u1"))
    first = engine.intent.classify("turn this into a pencil sketch", True, Method.LLM, owner=Owner("u1"))  # unscripted: 500s
    assert first.fallback_used is Method.EMBEDDING
    assert _breaker_state(engine) == "open"
    row = {r["provider"]: r for r in engine.intent.breaker_rows()}["openai"]
    assert row["retry_in_s"] >= 1 and row["last_change"] == "closed → open"

    calls = len(openai_standin.received)
    second = engine.intent.classify("upscale this old scan", True, Method.LLM, owner=Owner("u1"))
    assert second.fallback_used is not None and len(openai_standin.received) == calls  # the open circuit sent nothing
    assert _logged_breaker_states(engine)[-1] == "open"

    wait = {r["provider"]: r for r in engine.intent.breaker_rows()}["openai"]["retry_in_s"]
    time.sleep(wait + 0.2)  # past breaker_reset_s: the next call is a trial
    openai_standin.script.append(_verdict("image_enhancement"))
    third = engine.intent.classify("sharpen this blurry photo", True, Method.LLM, owner=Owner("u1"))
    assert third.fallback_used is None and _breaker_state(engine) == "closed"


def test_a_timeout_falls_back(engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.script.extend(Scripted(body=chat_completion("{}"), delay_s=1.5) for _ in range(6))
    result = engine.intent.classify("a poster of a lighthouse at dawn", False, Method.LLM, owner=Owner("u1"))
    assert result.fallback_used is Method.EMBEDDING
