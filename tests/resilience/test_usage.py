from __future__ import annotations

import pytest

from engine.errors import ConfigError, InvalidRequest, RateLimited
from engine.resilience import UsageLimiter, format_wait
from tests.resilience.conftest import run_python


def test_per_minute_limit_raises_with_retry_after() -> None:
    limiter = UsageLimiter(per_minute="20/minute", per_hour="300/hour", cost_per_hour_usd=None)
    for _ in range(20):
        limiter.check_and_consume("ada")
    with pytest.raises(RateLimited) as caught:
        limiter.check_and_consume("ada")
    assert 0 < caught.value.retry_after <= 60
    assert caught.value.user_message.startswith("You have made 20 requests this minute; try again in ")
    assert caught.value.user_message.endswith(" s.")
    assert limiter.remaining("ada").requests == {"minute": 0, "hour": 280}  # the refusal consumed nothing
    limiter.check_and_consume("bob")  # other users are unaffected


def test_per_hour_limit_message() -> None:
    limiter = UsageLimiter(per_minute="10/minute", per_hour="3/hour", cost_per_hour_usd=None)
    for _ in range(3):
        limiter.check_and_consume("ada")
    refusal = r"You have made 3 requests this hour; try again in 60 min\."
    with pytest.raises(RateLimited, match=refusal) as caught:
        limiter.check_and_consume("ada")
    assert 3500 < caught.value.retry_after <= 3600
    assert limiter.remaining("ada").requests == {"minute": 7, "hour": 0}


def test_cost_limit() -> None:
    limiter = UsageLimiter(per_minute=None, per_hour=None, cost_per_hour_usd=2.0)
    limiter.check_and_consume("ada", 1.5)
    limiter.check_and_consume("ada", 0.5)
    assert limiter.remaining("ada").cost_usd == 0.0
    refusal = r"^This hour's spending limit of \$2\.00 is reached; try again in 60 min\.$"
    with pytest.raises(RateLimited, match=refusal) as caught:
        limiter.check_and_consume("ada", 0.01)
    assert 3500 < caught.value.retry_after <= 3600
    limiter.check_and_consume("ada", 0.0)  # free requests still pass


def test_cost_limit_counts_fractions_of_a_cent() -> None:
    limiter = UsageLimiter(per_minute=None, per_hour=None, cost_per_hour_usd=0.01)
    for _ in range(3):
        limiter.check_and_consume("ada", 0.003)
    assert limiter.remaining("ada").cost_usd == pytest.approx(0.001)
    with pytest.raises(RateLimited, match=r"leaves \$0\.0010, less than this request's \$0\.0030"):
        limiter.check_and_consume("ada", 0.003)


def test_bad_input_and_config() -> None:
    limiter = UsageLimiter(cost_per_hour_usd=2.0)
    with pytest.raises(InvalidRequest, match="estimated_cost_usd"):
        limiter.check_and_consume("ada", -1)
    with pytest.raises(InvalidRequest, match="above the hourly limit"):
        limiter.check_and_consume("ada", 3.0)
    with pytest.raises(InvalidRequest, match="user_id"):
        limiter.check_and_consume("")
    with pytest.raises(ConfigError, match="STUDIO_RATE_LIMIT_PER_MINUTE"):
        UsageLimiter(per_minute="twenty a minute")


def test_format_wait() -> None:
    waits = [format_wait(s) for s in (0.2, 37, 89.5, 720, 5400, 7300)]
    assert waits == ["1 s", "37 s", "90 s", "12 min", "2 h", "3 h"]


def test_redis_limits_and_retry_after(redis_url: str, prefix: str) -> None:
    limiter = UsageLimiter("2/minute", "100/hour", 1.0, storage_uri=redis_url, key_prefix=prefix)
    limiter.check_and_consume("ada", 0.5)
    limiter.check_and_consume("ada", 0.5)
    with pytest.raises(RateLimited, match="2 requests this minute") as caught:
        limiter.check_and_consume("ada")
    assert 55 < caught.value.retry_after <= 60
    remaining = limiter.remaining("ada")
    assert remaining.requests == {"minute": 0, "hour": 98} and remaining.cost_usd == 0.0


@pytest.mark.slow
def test_two_processes_share_one_limit(redis_url: str, prefix: str) -> None:
    limiter = UsageLimiter("10/minute", None, None, storage_uri=redis_url, key_prefix=prefix)
    for _ in range(6):
        limiter.check_and_consume("ada")
    out = run_python(
        f"""
        from engine.errors import RateLimited
        from engine.resilience import UsageLimiter
        limiter = UsageLimiter("10/minute", None, None, storage_uri={redis_url!r}, key_prefix={prefix!r})
        for _ in range(4):
            limiter.check_and_consume("ada")
        try:
            limiter.check_and_consume("ada")
        except RateLimited as exc:
            print("limited", exc.retry_after)
        """
    )
    assert out.startswith("limited ")
    assert 0 < float(out.split()[1]) <= 60
    with pytest.raises(RateLimited):
        limiter.check_and_consume("ada")
