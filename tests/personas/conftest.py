"""Persona fixtures: an engine (real DuckDB, real queue, real vision model) with fake text/image adapters on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from engine.engine import Engine, build_engine
from engine.settings import Settings
from tests.personas import fakes

EngineFactory = Callable[..., Engine]


@pytest.fixture(autouse=True)
def fresh_script() -> Iterator[fakes.Script]:
    fakes.SCRIPT.__init__()  # type: ignore[misc]
    yield fakes.SCRIPT


@pytest.fixture
def make_engine(engine_settings: Settings) -> Iterator[EngineFactory]:
    """Build and start an engine with the persona fakes loaded; settings overrides pick adapters."""
    engines: list[Engine] = []

    def make(**overrides: object) -> Engine:
        settings = engine_settings.model_copy(update=overrides)
        engine = build_engine(settings, plugins=["tests.personas.fakes"])
        engines.append(engine)
        return engine.start()

    yield make
    for engine in engines:
        engine.close()
