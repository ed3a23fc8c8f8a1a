"""The ways to run the studio: `python app.py`, `gradio app.py` (reload mode), Docker."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_app_is_cheap_and_builds_nothing() -> None:
    code = "import sys, app; print(sorted(m for m in ('gradio', 'torch', 'duckdb', 'engine.engine') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_reload_rerun_keeps_the_engine_drops_the_old_ui_and_does_not_launch_again() -> None:
    """Gradio's reload mode executes app.py again in the same namespace after an edit."""
    engine, old_ui = object(), object()
    namespace = {"__name__": "__main__", "_engine": engine, "demo": old_ui}
    exec(compile((ROOT / "app.py").read_text(), "app.py", "exec"), namespace)  # main() would build and block
    assert namespace["_engine"] is engine
    assert "demo" not in namespace  # the next lookup builds the UI again from the reloaded tabs
    assert namespace["_RERUN"] is True


def _pip_installs(text: str) -> list[str]:
    """The arguments of every `pip install` line, without -q and an index URL."""
    found = []
    for line in re.findall(r"pip install ([^\n&\\]+)", text):
        words = [w for w in line.split() if w not in ("-q",)]
        if "--index-url" in words:
            at = words.index("--index-url")
            del words[at : at + 2]
        found.append(" ".join(words))
    return found


def test_the_dockerfile_installs_as_the_makefile_does() -> None:
    make = _pip_installs((ROOT / "Makefile").read_text())
    docker_text = (ROOT / "Dockerfile").read_text()
    docker = _pip_installs(docker_text)
    assert make and docker == make
    assert "--index-url https://download.pytorch.org/whl/cpu -r requirements/torch.txt" in docker_text
    for needed in ("FROM python:3.11-slim", "USER studio", 'VOLUME ["/data"]', "EXPOSE 7860",
                   "GRADIO_SERVER_NAME=0.0.0.0", "STUDIO_DATA_DIR=/data", 'CMD ["python", "app.py"]'):  # fmt: skip
        assert needed in docker_text, needed
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "data", ".env", ".git"} <= set(ignored)
