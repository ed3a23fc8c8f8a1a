"""The narration cache: hits, preloading of the next step, persistence, TTL cleanup, stats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.ownership import OPERATOR
from engine.scenarios import OnboardRequest
from storage.scenarios import utcnow


@pytest.mark.slow
def test_narration_is_cached_preloaded_and_cleaned_up(scenario_engine, face_jpeg, voice_wav) -> None:
    engine, service = scenario_engine
    user = service.onboard(OnboardRequest(name="Alex", age=30, gender="other", photo=face_jpeg, voice=voice_wav,
                                          consent=True), owner=OPERATOR).user_id  # fmt: skip
    steps = [s.id for s in service.course()[0].steps]
    first = service.narration(user, steps[0], owner=OPERATOR)
    assert not first.hit and first.path.is_file() and "Alex" in first.text and first.next_step_id == steps[1]
    again = service.narration(user, steps[0], preload_next=False, owner=OPERATOR)
    assert again.hit and again.path == first.path
    service.narrations.preload(user, steps[1])
    service.wait(user, timeout=120, owner=OPERATOR)  # the preload runs ahead of the background jobs (PREFETCH priority)
    second = service.narration(user, steps[1], preload_next=False, owner=OPERATOR)
    assert second.hit and second.preloaded

    stats = service.cache_stats(user, owner=OPERATOR)
    assert stats.hits == 2 and stats.misses == 1 and stats.preloads >= 1 and stats.live_entries >= 2
    assert stats.total_accesses >= 3 and stats.bytes > 0

    assert service.narrations.cleanup(utcnow()) == 0
    removed = service.narrations.cleanup(utcnow() + timedelta(hours=25))
    assert removed == service.cache_stats(user, owner=OPERATOR).entries + removed and removed >= 2
    assert not first.path.exists()
    assert not service.narration(user, steps[0], preload_next=False, owner=OPERATOR).hit
