"""The studio's error tree. Every error a person can see carries `user_message`.

```
StudioError (.user_message)
├── ConfigError        a setting is missing or wrong — names the setting
├── InvalidRequest     raised before any work — names the field and the fix
├── ProviderError
│   ├── ProviderUnavailable   the model cannot be loaded or reached
│   ├── RateLimited           (retry_after seconds)
│   └── ContentRejected       the provider refused the input
├── JobError
│   ├── JobCancelled
│   ├── JobTimeout
│   └── QueueFull
└── StorageError
    ├── NotFound
    └── MigrationError
```

Third-party exceptions are translated at the boundary and re-raised `from exc`;
only the UI layer turns these into `gr.Error`.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ContentRejected",
    "InvalidRequest",
    "JobCancelled",
    "JobError",
    "JobTimeout",
    "MigrationError",
    "NotFound",
    "ProviderError",
    "ProviderUnavailable",
    "QueueFull",
    "RateLimited",
    "StorageError",
    "StudioError",
]


class StudioError(Exception):
    """Base of every error the studio raises on purpose."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ConfigError(StudioError):
    """A setting is missing or invalid; the message names the setting."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


class InvalidRequest(StudioError):
    """The request is wrong; raised before any work is done."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class ProviderError(StudioError):
    """A model or remote API failed."""


class ProviderUnavailable(ProviderError):
    """The provider cannot be loaded or reached right now."""


class RateLimited(ProviderError):
    """Too many requests; try again after `retry_after` seconds."""

    def __init__(self, user_message: str, retry_after: float) -> None:
        super().__init__(user_message)
        self.retry_after = retry_after


class ContentRejected(ProviderError):
    """The provider refused the input (safety filter, policy)."""


class JobError(StudioError):
    """A queued job did not complete."""


class JobCancelled(JobError):
    """The job was cancelled."""


class JobTimeout(JobError):
    """The job ran past its timeout."""


class QueueFull(JobError):
    """The queue holds as many pending jobs as it may."""


class StorageError(StudioError):
    """The database or media store failed."""


class NotFound(StorageError):
    """No record with that id."""


class MigrationError(StorageError):
    """A schema migration failed; the database was left as it was."""
