from __future__ import annotations

import json

import pytest

from engine.errors import InvalidRequest
from engine.resilience import FeatureFlags
from tests.resilience.conftest import run_python

USERS = [f"user-{i}" for i in range(200)]


def test_zero_and_hundred_percent_are_exact() -> None:
    flags = FeatureFlags({"none": 0, "all": 100})
    assert not any(flags.is_enabled("none", u) for u in USERS)
    assert all(flags.is_enabled("all", u) for u in USERS)
    assert not flags.is_enabled("never_rolled_out", "user-1")


def test_thirty_percent_is_roughly_thirty_percent() -> None:
    flags = FeatureFlags({"ai_classifier": 30})
    share = sum(flags.is_enabled("ai_classifier", u) for u in USERS) / len(USERS)
    assert 0.20 <= share <= 0.40


def test_raising_the_percentage_only_adds_users() -> None:
    flags = FeatureFlags({"f": 30})
    before = {u for u in USERS if flags.is_enabled("f", u)}
    flags.rollout("f", 60)
    after = {u for u in USERS if flags.is_enabled("f", u)}
    assert before < after


def test_overrides() -> None:
    flags = FeatureFlags({"f": 0})
    flags.override("f", "ada", True)
    assert flags.is_enabled("f", "ada") and not flags.is_enabled("f", "bob")
    flags.override("f", "ada", None)
    assert not flags.is_enabled("f", "ada")


@pytest.mark.parametrize("bad", [-1, 100.5, float("nan")])
def test_percentage_out_of_range(bad: float) -> None:
    with pytest.raises(InvalidRequest, match="percentage"):
        FeatureFlags().rollout("f", bad)


@pytest.mark.slow
def test_same_answers_in_another_process() -> None:
    flags = FeatureFlags({"ai_classifier": 30})
    mine = [flags.is_enabled("ai_classifier", u) for u in USERS]
    theirs = run_python(
        f"""
        import json
        from engine.resilience import FeatureFlags
        flags = FeatureFlags({{"ai_classifier": 30}})
        print(json.dumps([flags.is_enabled("ai_classifier", u) for u in {USERS!r}]))
        """
    )
    assert json.loads(theirs) == mine
