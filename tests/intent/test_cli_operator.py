"""The CLI acts as the operator: local batches are never cut short by per-visitor limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.engine import build_engine
from engine.errors import RateLimited
from engine.intent import Method
from engine.ownership import OPERATOR, Owner
from engine.settings import Settings

SUBJECTS = ["a fox", "my cat", "the harbour", "a robot", "grandma's garden", "a red bicycle", "the old bridge", "a dragon"]
ASKS = [
    "make a poster of {}", "animate this photo of {}", "upscale and sharpen this picture of {}",
    "turn {} into a watercolour", "write a short video of {} at dawn",
]


def two_hundred_requests() -> list[dict[str, object]]:
    return [
        {"prompt": f"{ASKS[i % len(ASKS)].format(SUBJECTS[i % len(SUBJECTS)])} (take {i})", "has_image": i % 3 == 0}
        for i in range(200)
    ]


@pytest.mark.parametrize("method", ["rules", "embedding"])
def test_classify_input_answers_every_line_of_200(tmp_path: Path, shared_model_cache: Path, method: str) -> None:
    requests = two_hundred_requests()
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in requests) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "STUDIO_DATA_DIR": str(tmp_path / "data"),
        "STUDIO_MODEL_CACHE_DIR": str(shared_model_cache),
        "STUDIO_RATE_LIMIT_PER_MINUTE": "5/minute",  # a visitor would be stopped at line 6
        "STUDIO_RATE_LIMIT_PER_HOUR": "20/hour",
    }
    done = subprocess.run(
        [sys.executable, "-m", "studio.cli", "classify", "--method", method, "--input", str(source)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o.get("error") for o in out if "error" in o] == []
    assert [o["prompt"] for o in out] == [r["prompt"] for r in requests]
    assert all(o["workflow_type"] and o["method"] == method for o in out)


def test_the_operator_is_exempt_and_a_visitor_is_not(engine_settings: Settings) -> None:
    with build_engine(engine_settings.model_copy(update={"rate_limit_per_minute": "3/minute"})) as engine:
        for i in range(10):
            engine.intent.classify(f"a poster of a fox, take {i}", False, Method.RULES, owner=OPERATOR)
        visitor = Owner("visitor-key")
        for i in range(3):
            engine.intent.classify(f"a poster of an owl, take {i}", False, Method.RULES, owner=visitor)
        with pytest.raises(RateLimited):
            engine.intent.classify("one more owl", False, Method.RULES, owner=visitor)
        engine.intent.classify("the operator still goes on", False, Method.RULES, owner=OPERATOR)
