from pathlib import Path

import pytest

from engine.engine import build_engine
from engine.errors import ConfigError, StorageError
from engine.settings import Settings, load_settings


def test_engine_builds_on_the_embedded_default(engine_settings: Settings) -> None:
    with build_engine(engine_settings) as engine:
        engine.start()
        assert (engine_settings.data_dir / "studio.duckdb").exists()
        assert set(engine.queue.counts()) >= {"pending", "running", "completed", "failed"}
        rows = engine.system.providers()
        assert {(r.capability, r.provider) for r in rows if r.configured} >= {("text", "embedded"), ("vision", "embedded")}


def test_unwritable_data_dir_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError) as caught:
        build_engine(load_settings(data_dir=blocker / "data", _env_file=None))
    assert caught.value.setting == "STUDIO_DATA_DIR"
    assert str(blocker / "data") in caught.value.user_message


def test_unknown_provider_stops_before_anything_is_written(tmp_path: Path) -> None:
    data_dir = tmp_path / "never-created"
    with pytest.raises(ConfigError, match="STUDIO_SPEECH_PROVIDER"):
        build_engine(load_settings(data_dir=data_dir, speech_provider="nope", _env_file=None))
    assert not data_dir.exists()


def test_second_engine_on_the_same_data_dir_is_refused(engine_settings: Settings) -> None:
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        from engine.engine import build_engine
        from engine.settings import load_settings
        engine = build_engine(load_settings(data_dir={str(engine_settings.data_dir)!r}, _env_file=None))
        print("ready", flush=True)
        import time; time.sleep(30)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StorageError, match="in use by another process"):
            build_engine(engine_settings)
        assert not list(engine_settings.data_dir.glob("media/*/*"))
    finally:
        holder.kill()
        holder.wait()
