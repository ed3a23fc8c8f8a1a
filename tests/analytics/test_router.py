"""The hybrid router on real engines: the embedded default, and a strong model behind a local
OpenAI stand-in. Measured performance comes from real DuckDB rows."""

from __future__ import annotations

import json

import pytest

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.providers.base import TextRequest
from engine.routing import complexity
from tests.analytics.conftest import generation
from tests.support.openai_standin import OpenAIStandIn, Scripted, chat_completion

EASY = "Write a two-line poem about a lighthouse."
HARD = (
    "First, explain the contract liability clauses of this agreement, then compare them with the statute. "
    "Finally, output a JSON table with 3 bullet points per clause?"
)
ALICE = Owner("alice")


def test_complexity_is_explained_feature_by_feature() -> None:
    easy, easy_features = complexity(EASY)
    hard, hard_features = complexity(HARD)
    assert 0.0 <= easy < 0.2 < 0.7 <= hard <= 1.0
    assert set(hard_features) == {"length", "structure", "domain", "format", "language"}
    assert hard_features["domain"]["value"] == ["contract", "liability", "statute"]
    assert "json" in hard_features["format"]["value"]
    assert sum(f["weight"] for f in hard_features.values()) == pytest.approx(1.0)
    assert hard == pytest.approx(sum(f["score"] * f["weight"] for f in hard_features.values()), abs=1e-3)
    foreign, features = complexity("Écrivez un poème sur la mer, s'il vous plaît, avec des élans évoqués")
    assert features["language"]["score"] > 0


def test_only_bundled_models_means_local_with_a_reason(engine: Engine) -> None:
    decision = engine.analytics.route(HARD, owner=ALICE)
    assert decision.chosen == "embedded" and decision.tier == "local"
    assert any("no strong text model" in r for r in decision.reasons)
    assert set(decision.public()) == {"complexity", "features", "chosen", "reasons"}


def test_hard_requests_go_to_the_strong_model_with_local_fallback(strong_engine: Engine) -> None:
    easy = strong_engine.analytics.route(EASY, owner=ALICE)
    hard = strong_engine.analytics.route(HARD, owner=ALICE)
    assert (easy.chosen, easy.tier, easy.chain) == ("embedded", "local", ("embedded",))
    assert (hard.chosen, hard.tier, hard.chain) == ("openai", "strong", ("openai", "embedded"))
    assert any("≥" in r for r in hard.reasons)


def test_local_fallback_can_be_switched_off(strong_engine: Engine) -> None:
    from engine.analytics import build_analytics

    settings = strong_engine.settings.model_copy(update={"router_local_fallback": False})
    analytics, _ = build_analytics(settings, strong_engine.db, strong_engine.models, strong_engine.generations)
    try:
        assert analytics.route(HARD, owner=ALICE).chain == ("openai",)
    finally:
        analytics.close()


def test_measured_failures_of_the_local_model_send_easy_requests_to_the_strong_one(strong_engine: Engine) -> None:
    for index in range(10):
        strong_engine.generations.record(generation(kind="story_chapter", outcome="error" if index < 4 else "ok"))
    decision = strong_engine.analytics.route(EASY, kind="story_chapter", owner=ALICE)
    assert decision.tier == "strong"
    assert any("success rate for story_chapter is 60%" in r for r in decision.reasons)
    # Another kind has no measurements: local.
    assert strong_engine.analytics.route(EASY, kind="playground", owner=ALICE).tier == "local"


def test_low_ratings_of_the_local_model_send_requests_to_the_strong_one(strong_engine: Engine) -> None:
    rows = [generation(kind="persona_post") for _ in range(4)]
    for row in rows:
        strong_engine.generations.record(row)
    for row in rows:
        strong_engine.analytics.feedback(row.id, 2, owner=ALICE)
    decision = strong_engine.analytics.route(EASY, kind="persona_post", owner=ALICE)
    assert decision.tier == "strong"
    assert any("mean rating for persona_post is 2.0" in r for r in decision.reasons)


def test_routed_generation_records_decision_sample_and_generation(strong_engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.script.append(Scripted(body=chat_completion("A careful answer.")))
    answer = strong_engine.routed_text.generate(TextRequest.from_prompt(HARD), kind="playground", owner=ALICE)
    assert answer.text == "A careful answer." and answer.decision.chosen == "openai"
    row = next(r for r in strong_engine.generations.recent(10) if r.id == answer.generation_id)
    assert (row.provider, row.kind, row.user_id, row.outcome) == ("openai", "playground", "alice", "ok")
    decisions = strong_engine.analytics.decisions(owner=Owner("op", admin=True))
    assert decisions[0].generation_id == answer.generation_id and decisions[0].tier == "strong"
    exported = strong_engine.db.cursor().execute(
        "SELECT messages, completion FROM text_samples WHERE generation_id = ?", [answer.generation_id]
    ).fetchone()
    assert exported is not None and json.loads(exported[0])[-1]["content"] == HARD


def test_a_failing_strong_model_falls_back_to_the_local_one(strong_engine: Engine, openai_standin: OpenAIStandIn) -> None:
    openai_standin.script.extend([Scripted(status=500, body={"error": "down"})] * 3)
    request = TextRequest.from_prompt(HARD, max_new_tokens=8, temperature=0.0)
    stream = strong_engine.routed_text.stream(request, kind="playground", owner=ALICE)
    assert stream.decision.chain == ("openai", "embedded")
    text = "".join(stream)
    assert text.strip()
    rows = {r.provider: r for r in strong_engine.generations.recent(10)}
    assert rows["openai"].outcome == "error"
    assert rows["embedded"].id == stream.generation_id and rows["embedded"].fallback_from == "openai"
    assert rows["embedded"].ttft_ms is not None and rows["embedded"].ttft_ms <= rows["embedded"].latency_ms


def test_calibration_sets_the_threshold_for_the_share(strong_engine: Engine) -> None:
    router_owner = Owner("op", admin=True)
    with pytest.raises(InvalidRequest, match="no routed requests"):
        strong_engine.analytics.calibrate(0.3, owner=router_owner)
    prompts = [EASY] * 7 + [HARD] * 3
    for prompt in prompts:
        decision = strong_engine.routed_text.route(TextRequest.from_prompt(prompt), kind="playground")
        strong_engine.analytics._router.record(decision, owner=ALICE, generation_id=None)
    result = strong_engine.analytics.calibrate(0.3, owner=router_owner)
    assert result.sample_size == 10 and result.previous_threshold == 0.7
    scores = [complexity(p)[0] for p in prompts]
    assert sum(s >= result.threshold for s in scores) == 3
    with pytest.raises(InvalidRequest, match="share"):
        strong_engine.analytics.calibrate(1.5, owner=router_owner)


def test_empty_prompt_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidRequest, match="prompt"):
        engine.analytics.route("   ", owner=ALICE)
