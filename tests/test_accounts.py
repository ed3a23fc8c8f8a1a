"""Login accounts and the listening address, as a shared deployment configures them."""

from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.settings import load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STUDIO_HOST", "STUDIO_PORT", "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "STUDIO_AUTH_USERNAME",
                 "STUDIO_AUTH_PASSWORD", "STUDIO_AUTH_USERS", "STUDIO_AUTH_USERS_FILE", "STUDIO_ADMIN_USERS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("given", "missing"), [
    ({"STUDIO_AUTH_PASSWORD": "s3cret"}, "STUDIO_AUTH_USERNAME"),
    ({"STUDIO_AUTH_USERNAME": "ada"}, "STUDIO_AUTH_PASSWORD"),
])  # fmt: skip
def test_half_configured_login_names_the_missing_setting(
    given: dict[str, str], missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert caught.value.setting == missing
    assert "s3cret" not in caught.value.user_message


def test_no_login_by_default_and_the_single_pair_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not load_settings(_env_file=None).accounts
    monkeypatch.setenv("STUDIO_AUTH_USERNAME", "ada")
    monkeypatch.setenv("STUDIO_AUTH_PASSWORD", "lovelace")
    accounts = load_settings(_env_file=None).accounts
    assert accounts.names == ["ada"]
    assert accounts.verify("ada", "lovelace")
    assert not accounts.verify("ada", "wrong") and not accounts.verify("bob", "lovelace")


def test_several_accounts_from_the_list_and_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users.txt"
    users.write_text("# the course team\n\ncarol:pa:ss word\n  dan:hunter2  \n")
    monkeypatch.setenv("STUDIO_AUTH_USERS", "ada:first-secret, bob:second-secret")
    monkeypatch.setenv("STUDIO_AUTH_USERS_FILE", str(users))
    monkeypatch.setenv("STUDIO_ADMIN_USERS", "carol")
    settings = load_settings(_env_file=None)
    assert settings.accounts.names == ["ada", "bob", "carol", "dan"]
    assert settings.accounts.verify("carol", "pa:ss word")  # split at the first colon only
    assert settings.accounts.verify("bob", "second-secret") and not settings.accounts.verify("bob", "first-secret")
    assert "secret" not in repr(settings) and "hunter2" not in repr(settings)


def test_a_malformed_line_names_the_file_and_line_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = tmp_path / "users.txt"
    users.write_text("ada:one\n# fine\nbob-without-colon-hunter2\n")
    monkeypatch.setenv("STUDIO_AUTH_USERS_FILE", str(users))
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert caught.value.setting == "STUDIO_AUTH_USERS_FILE"
    assert f"{users} line 3" in caught.value.user_message
    assert "hunter2" not in caught.value.user_message and "one" not in caught.value.user_message.split("line")[-1]


def test_a_missing_file_and_a_bad_pair_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_AUTH_USERS_FILE", str(tmp_path / "nowhere.txt"))
    with pytest.raises(ConfigError, match="STUDIO_AUTH_USERS_FILE: cannot read"):
        load_settings(_env_file=None)
    monkeypatch.delenv("STUDIO_AUTH_USERS_FILE")
    monkeypatch.setenv("STUDIO_AUTH_USERS", "ada:one,bob:")
    with pytest.raises(ConfigError, match="STUDIO_AUTH_USERS: pair 2"):
        load_settings(_env_file=None)


def test_an_admin_must_be_an_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_ADMIN_USERS", "root")
    with pytest.raises(ConfigError, match="STUDIO_ADMIN_USERS: names 'root', but no login"):
        load_settings(_env_file=None)
    monkeypatch.setenv("STUDIO_AUTH_USERS", "ada:one")
    with pytest.raises(ConfigError, match="not a login account: 'root'"):
        load_settings(_env_file=None)
    monkeypatch.setenv("STUDIO_ADMIN_USERS", "ada")
    assert load_settings(_env_file=None).admin_users == ["ada"]


def test_gradio_server_name_and_port_apply_when_the_studio_ones_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "ignored.example")  # generic names are not read
    monkeypatch.setenv("PORT", "1")
    assert (load_settings(_env_file=None).host, load_settings(_env_file=None).port) == ("127.0.0.1", 7860)
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "8080")
    settings = load_settings(_env_file=None)
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    monkeypatch.setenv("STUDIO_HOST", "127.0.0.2")
    monkeypatch.setenv("STUDIO_PORT", "9000")
    settings = load_settings(_env_file=None)
    assert (settings.host, settings.port) == ("127.0.0.2", 9000)
    assert load_settings(_env_file=None, port=9100).port == 9100
