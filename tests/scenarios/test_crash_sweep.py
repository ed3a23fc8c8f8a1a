"""A kill during onboarding, and one during pre-generation, leave nothing without an owner after a
restart: every stored file has its row and its owner, and deleting that owner removes it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.engine import Engine, build_engine
from engine.ownership import Owner, new_visitor_key
from engine.settings import load_settings
from tests.support.traces import rows_mentioning

ROOT = Path(__file__).resolve().parents[2]


def assert_every_file_has_an_owner(engine: Engine) -> None:
    cursor = engine.db.cursor()
    rows = {r[0] for r in cursor.execute("SELECT sha256 || '.' || extension FROM media").fetchall()}
    files = {p.name for p in engine.media.root.rglob("*") if p.is_file()}
    assert files <= rows, files - rows
    unowned = cursor.execute(
        "SELECT count(*) FROM media m WHERE NOT EXISTS (SELECT 1 FROM media_owners o WHERE o.sha256 = m.sha256)"
    ).fetchone()[0]
    assert unowned == 0


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


@pytest.mark.slow
def test_a_kill_during_onboarding_leaves_only_owned_files_that_deletion_removes(
    tmp_path: Path, shared_model_cache: Path, voice_wav: bytes
) -> None:
    data_dir, voice, key = tmp_path / "data", tmp_path / "voice.wav", new_visitor_key()
    data_dir.mkdir()
    voice.write_bytes(voice_wav)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.scenarios.onboard_worker", str(data_dir), str(shared_model_cache), str(voice), key],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdout is not None
    line = worker.stdout.readline()  # blocks until the files are stored (or the worker died)
    assert line.strip() == b"stored", worker.communicate()[1].decode()[-2000:]
    worker.send_signal(signal.SIGKILL)
    worker.communicate()

    settings = load_settings(data_dir=data_dir, model_cache_dir=shared_model_cache, cpu_workers=2, _env_file=None)
    with build_engine(settings) as engine:
        assert engine.media.root.exists() and any(p.is_file() for p in engine.media.root.rglob("*"))
        assert_every_file_has_an_owner(engine)
        engine.deletion.forget(owner=Owner(id=key, visitor=True))
        assert not any(p.is_file() for p in engine.media.root.rglob("*"))
        assert rows_mentioning(engine.db, key) == {}


@pytest.mark.slow
def test_a_kill_during_pregeneration_leaves_nothing_without_an_owner(
    tmp_path: Path, shared_model_cache: Path, voice_wav: bytes
) -> None:
    data_dir, voice = tmp_path / "data", tmp_path / "voice.wav"
    data_dir.mkdir()
    voice.write_bytes(voice_wav)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.scenarios.pregen_worker", str(data_dir), str(shared_model_cache), str(voice)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    log, deadline = data_dir / "ran.log", time.monotonic() + 60
    while not log.exists() or len(log.read_text().split()) < 2:  # the test polls a file; the service never polls
        assert worker.poll() is None, worker.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the worker never got going"
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.communicate()
    stray = data_dir / "media" / "ff" / ("ff" * 32 + ".png")  # as if killed between a file and its row
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"half-stored image")

    settings = load_settings(data_dir=data_dir, model_cache_dir=shared_model_cache, cpu_workers=2, _env_file=None)
    with build_engine(settings) as engine:
        assert not stray.exists()
        assert_every_file_has_an_owner(engine)
