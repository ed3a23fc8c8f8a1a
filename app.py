"""Build the engine from settings, build the UI, launch (the Hugging Face Spaces convention)."""

from __future__ import annotations

import sys

from engine.errors import StudioError


def main() -> int:
    from engine.engine import build_engine
    from engine.settings import load_settings
    from studio.shell import build_studio, launch_options

    try:
        engine = build_engine(load_settings())
        engine.start()
    except StudioError as exc:
        print(f"studio: {exc.user_message}", file=sys.stderr)
        return 2
    demo = build_studio(engine)
    demo.queue(default_concurrency_limit=engine.settings.cpu_workers)
    try:
        demo.launch(**launch_options(engine))
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
