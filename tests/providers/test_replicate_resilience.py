"""Replicate predictions when things go wrong or take a while: progress over several polls,
429 with retry-after, 5xx, timeouts, malformed output, cancellation, a breaker per model.
The real `replicate` client against a local stand-in; the real registry and gateway."""

from __future__ import annotations

import logging
import threading
from collections import deque
from pathlib import Path

import pytest

from engine.errors import ContentRejected, JobCancelled, ProviderError, ProviderUnavailable, RateLimited
from engine.providers.base import Capability, ImageRequest
from engine.providers.gateway import CallContext
from engine.providers.generative import VoiceCloneRequest
from engine.providers.progress import reporting
from storage.database import Database
from tests.providers.replicate_fixtures import Remote, replicate_settings
from tests.support.media_samples import png_bytes, wav_bytes
from tests.support.replicate_standin import Failure, Plan, ReplicateStandIn

SCHNELL = "black-forest-labs/flux-schnell"
ONLY_REPLICATE = CallContext(providers=("replicate",))


def _image_plan(standin: ReplicateStandIn, **fields: object) -> Plan:
    plan = Plan(output=[standin.serve_output("img.png", png_bytes(), "image/png")], **fields)  # type: ignore[arg-type]
    standin.plans[SCHNELL] = plan
    return plan


def _generate(remote: Remote, context: CallContext = ONLY_REPLICATE) -> list:  # type: ignore[type-arg]
    return remote.gateway.image.generate([ImageRequest(prompt="a kite")], context)


def test_progress_is_reported_over_several_polls(standin: ReplicateStandIn, remote: Remote) -> None:
    _image_plan(standin, polls=[
        ("starting", ""), ("processing", "  0%|          | 0/4"), ("processing", " 25%|██▌       | 1/4"),
        ("processing", " 50%|█████     | 2/4"), ("processing", " 75%|███████▌  | 3/4"),
    ])  # fmt: skip
    seen: list[tuple[int, float, str]] = []
    with reporting(lambda index, fraction, message: seen.append((index, fraction, message))):
        _generate(remote)
    fractions = [fraction for _, fraction, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {0.3, 0.5, 0.7} <= {round(f, 2) for f in fractions}
    assert any("2/4 (50%)" in message for _, _, message in seen)
    assert standin.polls() >= 5


def test_429_with_retry_after_is_waited_out_then_succeeds(standin: ReplicateStandIn, remote: Remote,
                                                          caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    _image_plan(standin, create_failures=deque([Failure(429, retry_after="1")]))
    with caplog.at_level(logging.WARNING, logger="engine.providers.replicate.predictions"):
        [result] = _generate(remote)
    assert not result.is_placeholder
    creates = [p for m, p in standin.received if m == "POST" and p.endswith("/predictions")]
    assert len(creates) == 2
    assert any("in 1.00 s" in record.getMessage() for record in caplog.records)


def test_a_long_retry_after_is_not_waited_for_and_the_chain_falls_back(standin: ReplicateStandIn, remote: Remote) -> None:
    _image_plan(standin, create_failures=deque([Failure(429, retry_after="3600")]))
    with pytest.raises(RateLimited) as raised:
        remote.registry.get(Capability.IMAGE, "replicate").generate([ImageRequest(prompt="a kite")])
    assert raised.value.retry_after == 3600
    _image_plan(standin, create_failures=deque([Failure(429, retry_after="3600")]))
    served = remote.gateway.image.generate_served([ImageRequest(prompt="a kite")])  # replicate, then embedded
    assert served.provider == "embedded" and served.value[0].is_placeholder and served.fallback_from == "replicate"
    failed = [r for r in remote.log.recent() if r.provider == "replicate"]
    assert failed and failed[0].outcome == "error" and "rate limiting" in (failed[0].error or "")


def test_500_is_retried_and_then_reported(standin: ReplicateStandIn, remote: Remote) -> None:
    _image_plan(standin, create_failures=deque([Failure(500)]))
    assert len(_generate(remote)) == 1
    _image_plan(standin, create_failures=deque([Failure(500), Failure(502), Failure(500), Failure(500)]))
    with pytest.raises(ProviderUnavailable, match="HTTP 500"):
        _generate(remote)
    assert standin.plans[SCHNELL].create_failures == deque([Failure(500)])  # STUDIO_REPLICATE_RETRIES=3 attempts


def test_a_5xx_while_polling_is_retried(standin: ReplicateStandIn, remote: Remote) -> None:
    _image_plan(standin, get_failures=deque([Failure(500)]))
    assert len(_generate(remote)) == 1


def test_an_unanswered_request_times_out_naming_the_setting(standin: ReplicateStandIn, data_dir: Path, db: Database) -> None:
    slow = Remote(replicate_settings(data_dir, standin.base_url, provider_timeout_s=0.3), db)
    try:
        _image_plan(standin, create_delay_s=1.0)
        with pytest.raises(ProviderUnavailable, match="STUDIO_PROVIDER_TIMEOUT_S"):
            _generate(slow)
    finally:
        slow.close()


def test_a_prediction_past_its_time_is_cancelled(standin: ReplicateStandIn, data_dir: Path, db: Database) -> None:
    slow = Remote(replicate_settings(data_dir, standin.base_url, replicate_timeout_s=0.2), db)
    try:
        _image_plan(standin, polls=[("processing", "")] * 10_000)
        with pytest.raises(ProviderUnavailable, match="STUDIO_REPLICATE_TIMEOUT_S"):
            _generate(slow)
        [prediction] = standin.created()
        assert standin.cancelled == [prediction.id] and prediction.status == "canceled"
    finally:
        slow.close()


@pytest.mark.parametrize("output", [42, None, [], {"url": "x"}, ["ftp://nowhere/file.png"]])
def test_malformed_output_is_a_provider_error(standin: ReplicateStandIn, remote: Remote, output: object) -> None:
    standin.plans[SCHNELL] = Plan(output=output)
    with pytest.raises(ProviderError, match="malformed|not a file URL"):
        remote.registry.get(Capability.IMAGE, "replicate").generate([ImageRequest(prompt="x")])


def test_an_output_file_that_is_not_an_image_is_malformed(standin: ReplicateStandIn, remote: Remote) -> None:
    standin.plans[SCHNELL] = Plan(output=[standin.serve_output("bad.png", b"<html>oops</html>")])
    with pytest.raises(ProviderError, match="malformed output: the file is not an image"):
        _generate(remote)
    standin.plans["minimax/voice-cloning"] = Plan(output={"id": "no voice here"})
    with pytest.raises(ProviderError, match="malformed"):
        remote.gateway.voice_clone.clone([VoiceCloneRequest(wav=wav_bytes(), name="Ada")], ONLY_REPLICATE)


def test_a_failed_prediction_says_why_and_a_refusal_is_content_rejected(standin: ReplicateStandIn, remote: Remote) -> None:
    adapter = remote.registry.get(Capability.IMAGE, "replicate")
    standin.plans[SCHNELL] = Plan(error="CUDA out of memory")
    with pytest.raises(ProviderError, match="CUDA out of memory"):
        adapter.generate([ImageRequest(prompt="x")])
    standin.plans[SCHNELL] = Plan(error="NSFW content detected")
    with pytest.raises(ContentRejected):
        adapter.generate([ImageRequest(prompt="x")])


def test_cancelling_cancels_the_prediction_and_no_fallback_runs(standin: ReplicateStandIn, remote: Remote) -> None:
    _image_plan(standin, polls=[("processing", "")] * 10_000)
    stop = threading.Event()

    def reporter(index: int, fraction: float, message: str) -> None:
        if "processing" in message:
            stop.set()  # the person pressed Cancel while it ran

    with reporting(reporter, cancelled=lambda index: stop.is_set()), pytest.raises(JobCancelled):
        remote.gateway.image.generate([ImageRequest(prompt="x")])  # the chain has embedded after replicate
    [prediction] = standin.created()
    assert standin.cancelled == [prediction.id]
    assert [r.provider for r in remote.log.recent()] == ["replicate"]  # embedded never ran


def test_each_model_has_its_own_breaker(standin: ReplicateStandIn, data_dir: Path, db: Database) -> None:
    fragile = Remote(replicate_settings(data_dir, standin.base_url, replicate_retries=1), db, fail_max=1)
    try:
        _image_plan(standin, create_failures=deque([Failure(500)] * 5))
        with pytest.raises(ProviderUnavailable):
            _generate(fragile)
        assert fragile.breakers.states()[f"replicate:{SCHNELL}"] == "open"
        with pytest.raises(ProviderUnavailable, match="paused"):
            _generate(fragile)  # refused without a request
        assert len(standin.plans[SCHNELL].create_failures) == 4
        standin.plans["black-forest-labs/flux-dev"] = Plan(output=[standin.serve_output("d.png", png_bytes(), "image/png")])
        served = fragile.gateway.image.generate_served(
            [ImageRequest(prompt="x")], CallContext(providers=("replicate",), model="black-forest-labs/flux-dev")
        )
        assert served.model == "black-forest-labs/flux-dev"
        assert fragile.breakers.states()["replicate:black-forest-labs/flux-dev"] == "closed"
    finally:
        fragile.close()


def test_closing_the_registry_closes_connections_and_a_later_call_opens_new_ones(standin: ReplicateStandIn,
                                                                               remote: Remote) -> None:  # fmt: skip
    _image_plan(standin)
    assert len(_generate(remote)) == 1
    remote.registry.close()
    assert len(_generate(remote)) == 1 and len(standin.created()) == 2
