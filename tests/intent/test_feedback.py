"""Feedback on the intent lab's outputs, and its LLM method through the hybrid router: every answer and
run carries the id a rating attaches to, only its owner may rate it, and a routed LLM answer is rated
as the model call that made it (which the router reads back)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from engine.analytics import ExportFormat
from engine.engine import Engine, build_engine
from engine.errors import NotFound
from engine.intent import Method, RunStatus
from engine.intent.llm import SYSTEM_PROMPT
from engine.ownership import OPERATOR, Owner
from engine.providers.base import TextRequest
from engine.settings import Settings
from tests.intent.conftest import answer
from tests.support.openai_standin import OpenAIStandIn, Scripted, chat_completion

ALICE = Owner("visitor-alice", visitor=True)
BOB = Owner("visitor-bob", visitor=True)


@pytest.fixture
def routed_engine(engine_settings: Settings, openai_standin: OpenAIStandIn) -> Iterator[Engine]:
    """A strong model behind a local OpenAI stand-in; threshold 0, so the router sends every request to it."""
    settings = engine_settings.model_copy(update={"text_provider": "openai", "openai_base_url": openai_standin.base_url,
                                                  "router_threshold": 0.0})  # fmt: skip
    with build_engine(settings) as built:
        yield built


def _row(engine: Engine, generation_id: str) -> tuple:
    engine.generations.flush()
    return engine.db.cursor().execute(
        "SELECT capability, provider, model, kind, owner FROM generations WHERE id = ?", [generation_id]
    ).fetchone()


def test_a_classification_is_rated_by_its_owner_only_and_a_cached_answer_is_the_new_owners(engine: Engine) -> None:
    first = engine.intent.classify("dye my hair pastel pink", True, Method.RULES, owner=ALICE)
    assert first.generation_id
    assert _row(engine, first.generation_id) == ("output", "studio", "rules", "classification", ALICE.id)
    assert engine.analytics.feedback(first.generation_id, 5, owner=ALICE).rating == 5
    with pytest.raises(NotFound):
        engine.analytics.feedback(first.generation_id, 1, owner=BOB)
    again = engine.intent.classify("dye my hair pastel pink", True, Method.RULES, owner=BOB)  # from the shared cache
    assert again.generation_id and again.generation_id != first.generation_id
    assert _row(engine, again.generation_id)[4] == BOB.id
    assert engine.analytics.feedback(again.generation_id, 2, owner=BOB).rating == 2


def test_an_embedding_answer_is_recorded_as_made_by_that_method(engine: Engine) -> None:
    result = engine.intent.classify("turn this photo into a watercolour", True, Method.EMBEDDING, owner=ALICE)
    assert _row(engine, result.generation_id) == ("output", "studio", "embedding", "classification", ALICE.id)


def test_a_process_result_is_rated_as_its_workflow(engine: Engine) -> None:
    result = engine.intent.process("a video of waves crashing on the shore", None, "quality", owner=ALICE)
    assert result.status is RunStatus.NEEDS_PROVIDER and result.generation_id
    capability, provider, model, kind, owner = _row(engine, result.generation_id)
    assert (capability, owner) == ("output", ALICE.id) and kind == result.plan.classification.workflow_type.value
    assert result.plan.selection.primary in model
    engine.analytics.feedback(result.generation_id, 3, owner=ALICE)
    with pytest.raises(NotFound):
        engine.analytics.feedback(result.generation_id, 3, owner=BOB)
    ratings = engine.analytics.dashboard(date.today(), date.today(), owner=OPERATOR)["ratings"]
    assert kind in ratings["workflow"].tolist()
    requests = engine.analytics.dashboard(date.today(), date.today(), owner=OPERATOR)["requests"]
    assert kind not in requests["workflow"].tolist()


def test_the_llm_method_goes_through_the_router_and_its_answer_rates_that_call(
    routed_engine: Engine, openai_standin: OpenAIStandIn
) -> None:
    openai_standin.script.append(Scripted(body=chat_completion(answer("hair_styling", 0.8, "asks for a new hair colour"))))
    result = routed_engine.intent.classify("dye my hair pastel pink", True, Method.LLM, owner=ALICE)
    assert result.method is Method.LLM and result.fallback_used is None
    assert result.workflow_type.value == "hair_styling" and result.generation_id
    assert _row(routed_engine, result.generation_id)[1:] == ("openai", "gpt-4o-mini", "classification", ALICE.id)
    [decision] = routed_engine.analytics.decisions(owner=OPERATOR)
    assert (decision.kind, decision.chosen, decision.tier) == ("classification", "openai", "strong")
    assert decision.generation_id == result.generation_id and decision.owner == ALICE.id
    # the router judged the person's request, not the classifier's instructions around it
    asked = openai_standin.received[0]["body"]["messages"]
    assert "dye my hair pastel pink" in asked[-1]["content"]
    assert decision.features["length"]["value"] == 5 and decision.features["format"]["value"] == []
    routed_engine.analytics.feedback(result.generation_id, 2, owner=ALICE)
    measured = routed_engine.analytics.route("dye my hair", kind="classification", owner=OPERATOR)
    assert measured.kind == "classification"
    router = routed_engine.db.cursor().execute(
        "SELECT kind, chosen, ratings FROM v_router_outcomes").fetchall()  # fmt: skip
    assert router == [("classification", "openai", 1)]


def test_a_cached_llm_answer_gets_an_output_record_of_the_new_owner(routed_engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.script.append(Scripted(body=chat_completion(answer("style_transfer"))))
    first = routed_engine.intent.classify("make it look like van gogh", True, Method.LLM, owner=ALICE)
    second = routed_engine.intent.classify("make it look like van gogh", True, Method.LLM, owner=BOB)
    assert len(openai_standin.received) == 1  # the second came from the cache
    assert _row(routed_engine, second.generation_id)[:4] == ("output", "studio", "llm", "classification")
    assert _row(routed_engine, second.generation_id)[4] == BOB.id and first.generation_id != second.generation_id


def test_each_answer_the_routed_model_gave_is_a_classification_training_sample_of_its_owner(
    routed_engine: Engine, openai_standin: OpenAIStandIn, tmp_path: Path
) -> None:
    openai_standin.script.append(Scripted(body=chat_completion(answer("hair_styling", 0.8, "asks for a new hair colour"))))
    mine = routed_engine.intent.classify("dye my hair pastel pink", True, Method.LLM, owner=ALICE)
    # Bob's request: the model never gives valid JSON, so the fallback answers, and that is no sample
    for _ in range(3):
        openai_standin.script.append(Scripted(body=chat_completion("hmm, some kind of edit I think")))
    his = routed_engine.intent.classify("make my cat wave at me", True, Method.LLM, owner=BOB)
    assert mine.fallback_used is None and his.fallback_used is not None and len(openai_standin.received) == 4

    out = tmp_path / "classification.jsonl"
    exported = routed_engine.analytics.export_training(out, ExportFormat.OPENAI, owner=OPERATOR, kind="classification")
    assert exported.count == 1
    [line] = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    system, user, assistant = line["messages"]
    assert (system["role"], system["content"]) == ("system", SYSTEM_PROMPT)
    assert user["role"] == "user" and user["content"].endswith("Request: dye my hair pastel pink")
    assert assistant["role"] == "assistant"
    assert json.loads(assistant["content"])["workflow"] == "hair_styling" == mine.workflow_type.value
    owners = routed_engine.db.cursor().execute("SELECT owner, generation_id FROM text_samples").fetchall()
    assert owners == [(ALICE.id, mine.generation_id)]  # the sample is the rated call's, and Alice's

    routed_engine.deletion.forget(owner=ALICE)  # deleted with its owner
    assert routed_engine.analytics.export_training(out, owner=OPERATOR, kind="classification").count == 0
    assert routed_engine.db.cursor().execute("SELECT count(*) FROM text_samples").fetchone() == (0,)


def test_a_routed_batch_records_one_generation_per_request(routed_engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.answer = lambda _received: Scripted(body=chat_completion(answer("style_transfer")))
    requests = [TextRequest.from_prompt(f"classify {i}") for i in range(3)]
    ran = routed_engine.routed_text.with_model(lambda model: model.generate(requests), requests,
                                               kind="classification", owner=ALICE)  # fmt: skip
    assert len(ran.generation_ids) == 3 and len(set(ran.generation_ids)) == 3
    routed_engine.generations.flush()
    rows = routed_engine.db.cursor().execute(
        "SELECT id, owner, kind, outcome FROM generations WHERE capability = 'text' ORDER BY id").fetchall()  # fmt: skip
    assert rows == sorted((g, ALICE.id, "classification", "ok") for g in ran.generation_ids)
    [decision] = routed_engine.analytics.decisions(owner=OPERATOR)
    assert decision.generation_id == ran.generation_id == ran.generation_ids[0]
