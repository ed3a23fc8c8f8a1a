"""A queue factory on the real DuckDB file of the `db` fixture; every queue made is stopped after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.queue import Device, GenerationQueue, QueueConfig
from storage.database import Database

MakeQueue = Callable[..., GenerationQueue]


@pytest.fixture
def make_queue(db: Database) -> Iterator[MakeQueue]:
    made: list[GenerationQueue] = []

    def make(devices: list[Device] | None = None, **config: Any) -> GenerationQueue:
        options: dict[str, Any] = {"retry_initial_s": 0.01, "retry_max_s": 0.05, "batch_window_ms": 0}
        options.update(config)
        queue = GenerationQueue(db, devices or [Device("cpu", "cpu", 2)], QueueConfig(**options))
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.stop(timeout=2)
