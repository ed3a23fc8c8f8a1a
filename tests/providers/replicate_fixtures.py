"""Shared set-up of the Replicate tests: the stand-in, settings pointing at it, and the real
registry + gateway (with breakers and a generation log on a real DuckDB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.providers.gateway import ModelGateway
from engine.providers.registry import ProviderRegistry
from engine.resilience import BreakerBoard
from engine.settings import Settings, load_settings
from storage.database import Database
from storage.generations import GenerationLog
from tests.support.replicate_standin import ReplicateStandIn

REMOTE = dict(
    image_provider="replicate", image_edit_provider="replicate", face_swap_provider="replicate",
    talking_head_provider="replicate", image_to_video_provider="replicate", text_to_video_provider="replicate",
    speech_provider="replicate", voice_clone_provider="replicate",
)  # fmt: skip


def replicate_settings(data_dir: Path, base_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        data_dir=data_dir, replicate_api_token="r8_test", replicate_base_url=base_url, replicate_poll_s=0.01,
        provider_timeout_s=2.0, replicate_retries=3, _env_file=None, **REMOTE,
    )  # fmt: skip
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def standin() -> Iterator[ReplicateStandIn]:
    server = ReplicateStandIn().start()
    yield server
    server.stop()


class Remote:
    """The registry and gateway over settings that point at the stand-in."""

    def __init__(self, settings: Settings, db: Database, fail_max: int = 5) -> None:
        self.settings = settings
        self.registry = ProviderRegistry(settings)
        self.registry.load_plugins()
        self.log = GenerationLog(db)
        self.breakers = BreakerBoard(fail_max=fail_max, reset_timeout_s=60)
        self.gateway = ModelGateway(self.registry, self.log, self.breakers)

    def close(self) -> None:
        self.registry.close()
        self.log.close()


@pytest.fixture
def remote(standin: ReplicateStandIn, data_dir: Path, db: Database) -> Iterator[Remote]:
    built = Remote(replicate_settings(data_dir, standin.base_url), db)
    yield built
    built.close()
