"""Percentage roll-outs: a user is in when a stable hash of (flag, user) falls below the percentage."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from engine.errors import InvalidRequest
from engine.resilience.keys import stable_bucket

__all__ = ["FeatureFlags"]


class FeatureFlags:
    """Flags with a roll-out percentage each, plus optional per-user overrides.

    The hash is sha256, so every process (and every restart) puts a user on the same
    side; raising a percentage only adds users. Flags never rolled out are off.
    Percentages come from settings, so processes agree without sharing storage.
    """

    def __init__(self, rollouts: Mapping[str, float] | None = None) -> None:
        self._lock = threading.Lock()
        self._percent: dict[str, float] = {}
        self._overrides: dict[tuple[str, str], bool] = {}
        for flag, percentage in (rollouts or {}).items():
            self.rollout(flag, percentage)

    def rollout(self, flag: str, percentage: float) -> None:
        """Enable `flag` for `percentage` (0 to 100) of users."""
        if not flag:
            raise InvalidRequest("flag", "must name the flag, e.g. 'ai_classifier'")
        if not 0.0 <= percentage <= 100.0:
            raise InvalidRequest("percentage", f"must be between 0 and 100 (got {percentage})")
        with self._lock:
            self._percent[flag] = float(percentage)

    def override(self, flag: str, user_id: str, enabled: bool | None) -> None:
        """Force `flag` on or off for one user; `None` removes the override."""
        with self._lock:
            if enabled is None:
                self._overrides.pop((flag, user_id), None)
            else:
                self._overrides[(flag, user_id)] = enabled

    def is_enabled(self, flag: str, user_id: str) -> bool:
        with self._lock:
            forced = self._overrides.get((flag, user_id))
            percentage = self._percent.get(flag, 0.0)
        if forced is not None:
            return forced
        if percentage <= 0.0:
            return False
        if percentage >= 100.0:
            return True
        return stable_bucket(flag, user_id) < percentage

    def percentages(self) -> dict[str, float]:
        """Each flag's roll-out percentage, for the UI."""
        with self._lock:
            return dict(self._percent)
