"""Engines for the analytics tests: the embedded default, and one with a strong model behind a
local OpenAI stand-in (the only thing faked is the network)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from engine.engine import Engine, build_engine
from engine.settings import Settings
from storage.generations import GenerationRecord
from tests.support.openai_standin import OpenAIStandIn


@pytest.fixture
def strong_settings(engine_settings: Settings, openai_standin: OpenAIStandIn) -> Settings:
    return engine_settings.model_copy(update={"text_provider": "openai", "openai_base_url": openai_standin.base_url})


@pytest.fixture
def strong_engine(strong_settings: Settings) -> Iterator[Engine]:
    with build_engine(strong_settings) as built:
        yield built


def naive_utc(days_ago: float = 0.0) -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days_ago)


def generation(**values: object) -> GenerationRecord:
    """A generations row with sensible defaults for seeding."""
    defaults: dict[str, object] = {
        "capability": "text",
        "provider": "embedded",
        "model": "SmolLM2-135M-Instruct",
        "request_summary": "a prompt",
        "latency_ms": 100.0,
        "outcome": "ok",
        "kind": "playground",
        "user_id": "alice",
    }
    merged = {**defaults, **values}
    merged.setdefault("owner", merged["user_id"])  # the person a call was made for owns its record
    return GenerationRecord(**merged)  # type: ignore[arg-type]
