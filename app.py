"""Build the engine from settings, build the UI, launch (the Hugging Face Spaces convention).

- `python app.py` (and `make run`, and Spaces): build, launch, close the engine on exit.
- `gradio app.py` (reload mode): Gradio runs this file, then runs it again inside the same module
  after each edit and serves the module-level `demo` it finds; the engine is built once per process
  and the UI is rebuilt on it.
- `import app`: cheap; `app.demo` is built on first use (module `__getattr__`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from engine.errors import StudioError

if TYPE_CHECKING:
    import gradio as gr

    from engine.engine import Engine

# Gradio's reload mode runs this file again in the same namespace: keep the engine, drop the stale UI.
_engine: Engine | None = globals().get("_engine")
_RERUN = globals().pop("demo", None) is not None


def shared_engine() -> Engine:
    """The process's engine, built and started on first use."""
    global _engine
    if _engine is None:
        from engine.engine import build_engine
        from engine.settings import load_settings

        _engine = build_engine(load_settings()).start()
    return _engine


def build_demo() -> gr.Blocks:
    """The studio's Blocks on the shared engine, queued, and kept as the module-level `demo`."""
    from studio.shell import build_studio

    engine = shared_engine()
    demo = build_studio(engine)
    demo.queue(default_concurrency_limit=engine.settings.cpu_workers)
    globals()["demo"] = demo
    return demo


def __getattr__(name: str) -> Any:
    if name == "demo":
        return build_demo()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> int:
    from studio.shell import configure_logging, launch_options

    configure_logging()
    try:
        demo = build_demo()
    except StudioError as exc:
        print(f"studio: {exc.user_message}", file=sys.stderr)
        return 2
    engine = shared_engine()
    try:
        demo.launch(**launch_options(engine))
    finally:
        engine.close()
    return 0


if __name__ == "__main__" and not _RERUN:
    sys.exit(main())
