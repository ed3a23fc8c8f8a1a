"""The real studio, launched on a free local port for end-to-end tests (`gradio_client`, browser)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from engine.engine import Engine, build_engine
from engine.settings import Settings
from studio.shell import build_studio, launch_options
from tests.support.redis_server import free_port

__all__ = ["free_port", "running_studio"]


@contextmanager
def running_studio(settings: Settings, plugins: Iterable[str] = ()) -> Iterator[tuple[Engine, str]]:
    """Build the engine and the app from `settings` on a free port; yield (engine, base URL); close both."""
    engine = build_engine(settings.model_copy(update={"port": free_port()}), plugins=plugins).start()
    try:
        demo = build_studio(engine)
        demo.queue()
        options = launch_options(engine)
        demo.launch(prevent_thread_lock=True, quiet=True, **options)
        try:
            yield engine, f"http://127.0.0.1:{options['server_port']}/"
        finally:
            demo.close()
    finally:
        engine.close()
