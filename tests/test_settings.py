from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.settings import load_settings


def test_defaults_are_the_embedded_studio() -> None:
    settings = load_settings(_env_file=None)
    assert settings.text_provider == "embedded"
    assert settings.data_dir == Path("./data")
    assert settings.port == 7860
    assert settings.fallback_providers == ["embedded"]


def test_environment_overrides_with_studio_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_CPU_WORKERS", "3")
    monkeypatch.setenv("STUDIO_FALLBACK_PROVIDERS", "openai, embedded")
    monkeypatch.setenv("STUDIO_TEXT_PROVIDER", " OpenAI ")
    settings = load_settings(_env_file=None)
    assert settings.cpu_workers == 3
    assert settings.fallback_providers == ["openai", "embedded"]
    assert settings.text_provider == "openai"


def test_invalid_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_CPU_WORKERS", "zero")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert caught.value.setting == "STUDIO_CPU_WORKERS"
    assert "zero" in caught.value.user_message
    assert "\n" not in caught.value.user_message


def test_out_of_range_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_PORT", "70000")
    with pytest.raises(ConfigError, match="STUDIO_PORT"):
        load_settings(_env_file=None)


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("STUDIO_QUEUE_MAX_BATCH=4\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings().queue_max_batch == 4
