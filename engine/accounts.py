"""Login accounts for a shared studio: one `STUDIO_AUTH_USERNAME`/`STUDIO_AUTH_PASSWORD` pair,
several `user:password` pairs in `STUDIO_AUTH_USERS`, or a file of them (`STUDIO_AUTH_USERS_FILE`).

A half-configured login (a password without a user name, or the reverse), a malformed pair or an
admin who is not an account is a `ConfigError` that names the setting (and the file's line);
passwords are never echoed.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from pathlib import Path

from engine.errors import ConfigError

__all__ = ["Accounts", "parse_pairs", "read_accounts_file", "resolve_accounts"]


class Accounts:
    """Account names and their passwords; `verify` compares in constant time."""

    def __init__(self, passwords: Mapping[str, str]) -> None:
        self._passwords = dict(passwords)

    def __bool__(self) -> bool:
        return bool(self._passwords)

    def __len__(self) -> int:
        return len(self._passwords)

    def __repr__(self) -> str:
        return f"Accounts({sorted(self._passwords)})"

    @property
    def names(self) -> list[str]:
        return sorted(self._passwords)

    def verify(self, username: str, password: str) -> bool:
        """True when `password` is `username`'s (the usual signature of Gradio's `auth=` callable)."""
        expected = self._passwords.get(username)
        # compare anyway for an unknown name, so that timing does not tell names apart
        matched = hmac.compare_digest((expected or "\0").encode(), (password or "").encode())
        return expected is not None and matched


def _pair(text: str, where: str, setting: str) -> tuple[str, str]:
    name, colon, password = text.partition(":")
    name = name.strip()
    if not colon or not name or not password:
        raise ConfigError(setting, f"{where} is not a 'user:password' pair (both parts non-empty)")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ConfigError(setting, f"{where}: the user name has spaces or control characters")
    return name, password


def _collect(pairs: Iterable[tuple[str, str, str]], setting: str) -> dict[str, str]:
    accounts: dict[str, str] = {}
    for where, name, password in pairs:
        if name in accounts:
            raise ConfigError(setting, f"{where}: the user {name!r} is listed twice")
        accounts[name] = password
    return accounts


def parse_pairs(text: str, setting: str = "STUDIO_AUTH_USERS") -> dict[str, str]:
    """Comma-separated `user:password` pairs."""
    items = [(f"pair {i}", part.strip()) for i, part in enumerate(text.split(","), start=1) if part.strip()]
    return _collect(((where, *_pair(part, where, setting)) for where, part in items), setting)


def read_accounts_file(path: Path, setting: str = "STUDIO_AUTH_USERS_FILE") -> dict[str, str]:
    """One `user:password` a line; blank lines and `#` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(setting, f"cannot read {path} ({type(exc).__name__}); check the path") from exc
    found = []
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            where = f"{path} line {number}"
            found.append((where, *_pair(line.strip(), where, setting)))
    if not found:
        raise ConfigError(setting, f"{path} holds no 'user:password' line")
    return _collect(found, setting)


def resolve_accounts(
    *, username: str | None, password: str | None, users: str | None, users_file: Path | None,
    admins: Iterable[str],
) -> Accounts:
    """Every configured account, checked: a whole single pair, the list, the file; admins among them."""
    if bool(username) != bool(password):
        missing, given = (
            ("STUDIO_AUTH_PASSWORD", "STUDIO_AUTH_USERNAME") if username else
            ("STUDIO_AUTH_USERNAME", "STUDIO_AUTH_PASSWORD")
        )  # fmt: skip
        raise ConfigError(missing, f"is needed with {given}; set both (or neither, for no login)")
    accounts: dict[str, str] = {}
    sources: list[tuple[str, dict[str, str]]] = []
    if username and password:
        sources.append(("STUDIO_AUTH_USERNAME", {username.strip(): password}))
    if users and users.strip():
        sources.append(("STUDIO_AUTH_USERS", parse_pairs(users)))
    if users_file is not None:
        sources.append(("STUDIO_AUTH_USERS_FILE", read_accounts_file(users_file)))
    for setting, found in sources:
        for name, secret in found.items():
            if name in accounts and accounts[name] != secret:
                raise ConfigError(setting, f"the user {name!r} is also configured with another password")
            accounts[name] = secret
    strangers = [name for name in admins if name not in accounts]
    if strangers:
        shown = ", ".join(map(repr, strangers))
        if not accounts:
            raise ConfigError("STUDIO_ADMIN_USERS", f"names {shown}, but no login account is set (STUDIO_AUTH_USERS)")
        raise ConfigError("STUDIO_ADMIN_USERS", f"not a login account: {shown}; add it to the accounts or remove it")
    return Accounts(accounts)
