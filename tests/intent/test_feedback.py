"""Feedback on the intent lab's outputs, and its LLM method through the hybrid router: every answer and
run carries the id a rating attaches to, only its owner may rate it, and a routed LLM answer is rated
as the model call that made it (which the router reads back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from engine.engine import Engine, build_engine
from engine.errors import NotFound
from engine.intent import Method, RunStatus
from engine.ownership import OPERATOR, Owner
from engine.settings import Settings
from tests.intent.conftest import answer
from tests.support.openai_standin import OpenAIStandIn, Scripted, chat_completion

ALICE = Owner("visitor-alice", visitor=True)
BOB = Owner("visitor-bob", visitor=True)


@pytest.fixture
def engine(engine_settings: Settings) -> Iterator[Engine]:
    with build_engine(engine_settings) as built:
        yield built


@pytest.fixture
def standin() -> Iterator[OpenAIStandIn]:
    server = OpenAIStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def routed_engine(engine_settings: Settings, standin: OpenAIStandIn) -> Iterator[Engine]:
    """A strong model behind a local OpenAI stand-in; threshold 0, so the router sends every request to it."""
    settings = engine_settings.model_copy(update={"text_provider": "openai", "openai_base_url": standin.base_url,
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
    routed_engine: Engine, standin: OpenAIStandIn
) -> None:
    standin.script.append(Scripted(body=chat_completion(answer("hair_styling", 0.8, "asks for a new hair colour"))))
    result = routed_engine.intent.classify("dye my hair pastel pink", True, Method.LLM, owner=ALICE)
    assert result.method is Method.LLM and result.fallback_used is None
    assert result.workflow_type.value == "hair_styling" and result.generation_id
    assert _row(routed_engine, result.generation_id)[1:] == ("openai", "gpt-4o-mini", "classification", ALICE.id)
    [decision] = routed_engine.analytics.decisions(owner=OPERATOR)
    assert (decision.kind, decision.chosen, decision.tier) == ("classification", "openai", "strong")
    assert decision.generation_id == result.generation_id and decision.owner == ALICE.id
    # the router judged the person's request, not the classifier's instructions around it
    asked = standin.received[0]["body"]["messages"]
    assert "dye my hair pastel pink" in asked[-1]["content"]
    assert decision.features["length"]["value"] == 5 and decision.features["format"]["value"] == []
    routed_engine.analytics.feedback(result.generation_id, 2, owner=ALICE)
    measured = routed_engine.analytics.route("dye my hair", kind="classification", owner=OPERATOR)
    assert measured.kind == "classification"
    router = routed_engine.db.cursor().execute(
        "SELECT kind, chosen, ratings FROM v_router_outcomes").fetchall()  # fmt: skip
    assert router == [("classification", "openai", 1)]


def test_a_cached_llm_answer_gets_an_output_record_of_the_new_owner(routed_engine: Engine, standin: OpenAIStandIn) -> None:
    standin.script.append(Scripted(body=chat_completion(answer("style_transfer"))))
    first = routed_engine.intent.classify("make it look like van gogh", True, Method.LLM, owner=ALICE)
    second = routed_engine.intent.classify("make it look like van gogh", True, Method.LLM, owner=BOB)
    assert len(standin.received) == 1  # the second came from the cache
    assert _row(routed_engine, second.generation_id)[:4] == ("output", "studio", "llm", "classification")
    assert _row(routed_engine, second.generation_id)[4] == BOB.id and first.generation_id != second.generation_id
