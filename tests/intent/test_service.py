"""IntentService on a real engine: cache, logging, limits, rollout flag, corrections, CLI contract."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.engine import Engine, build_engine
from engine.errors import InvalidRequest, RateLimited
from engine.intent import Method
from engine.ownership import Owner
from engine.settings import Settings


@pytest.fixture
def engine(engine_settings: Settings) -> Iterator[Engine]:
    with build_engine(engine_settings.model_copy(update={"rate_limit_per_minute": "5/minute"})) as built:
        yield built


def _logged(engine: Engine) -> list[tuple]:
    engine.intent.flush()
    return engine.db.cursor().execute(
        "SELECT method, workflow, cache_hit, rate_limited FROM intent_classifications ORDER BY created_at"
    ).fetchall()


def test_second_identical_request_is_a_cache_hit_and_both_are_logged(engine: Engine) -> None:
    first = engine.intent.classify("Make my hair copper red", True, Method.RULES, owner=Owner("u1"))
    second = engine.intent.classify("  make my HAIR copper red ", True, Method.RULES, owner=Owner("u1"))
    assert first.workflow_type == second.workflow_type
    assert _logged(engine) == [("rules", first.workflow_type.value, False, False), ("rules", first.workflow_type.value, True, False)]


def test_rate_limit_gives_a_wait_and_is_logged(engine: Engine) -> None:
    for i in range(5):
        engine.intent.classify(f"a poster of a fox number {i}", False, Method.RULES, owner=Owner("busy"))
    with pytest.raises(RateLimited) as caught:
        engine.intent.classify("one more", False, Method.RULES, owner=Owner("busy"))
    assert 0 < caught.value.retry_after <= 60 and "try again in" in caught.value.user_message
    assert _logged(engine)[-1][3] is True
    engine.intent.classify("another user is fine", False, Method.RULES, owner=Owner("calm"))


def test_rollout_zero_sends_ai_methods_to_rules(engine_settings: Settings) -> None:
    with build_engine(engine_settings.model_copy(update={"ai_classifier_rollout_percent": 0})) as engine:
        result = engine.intent.classify("animate this photo", True, Method.EMBEDDING, owner=Owner("u9"))
        assert result.method is Method.RULES


def test_hostile_input_is_refused_and_nothing_logged(engine: Engine) -> None:
    for prompt in ["", "   ", "x" * 10_000]:
        with pytest.raises(InvalidRequest):
            engine.intent.classify(prompt, False, Method.RULES, owner=Owner("u1"))
    assert _logged(engine) == []
    result = engine.intent.classify("<script>alert(1)</script> make it look like van gogh", True, Method.RULES, owner=Owner("u1"))
    assert result.workflow_type.value == "style_transfer"


def test_plan_selects_a_model_and_says_what_it_needs(engine: Engine) -> None:
    plan = engine.intent.plan("a video of waves crashing with the sound of the sea", False, "quality", owner=Owner("p"))
    assert plan.classification.workflow_type.value in {"video_generation", "text_to_video"}
    assert plan.selection.primary and plan.selection.estimated_cost_usd >= 0
    assert plan.runnable_here is False and "Needs provider" in plan.message
    logged = engine.db.cursor().execute("SELECT status, selected_model, actual_seconds FROM intent_selections").fetchall()
    assert logged == [("planned", plan.selection.primary, None)]


def test_corrections_are_stored_and_retrain_the_head(engine: Engine) -> None:
    engine.intent.correct("zorblify my selfie", True, "style_transfer", owner=Owner("u1"))
    assert engine.intent.retrain() == 1


def test_cli_input_file_prints_one_line_per_input_in_order(tmp_path: Path) -> None:
    lines = [{"prompt": "animate this photo", "has_image": True}, {"prompt": "upscale and sharpen this", "has_image": True}]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", "classify", "--method", "rules", "--input", str(source)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["prompt"] for o in out] == [line["prompt"] for line in lines]
    assert [o["workflow_type"] for o in out] == ["image_to_video", "image_enhancement"]
    assert all({"confidence", "method", "latency_ms"} <= set(o) for o in out)
