"""Who is asking: every record a person creates carries its owner, and every read, write,
cancel and delete checks it.

- With auth on, the owner is the logged-in account name.
- Without auth, the owner is the visitor's secret key (`new_visitor_key`, 192 bits), kept by the
  UI per browser session and shown only to its owner so that they can come back.
- The local CLI acts as `OPERATOR`: the machine's own user, not cut short by per-visitor limits.

Services take `owner: Owner` as a keyword argument and answer `NotFound` for a record that is
missing *or* belongs to someone else (no difference a caller could probe).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

__all__ = ["OPERATOR", "Owner", "new_visitor_key"]


@dataclass(frozen=True)
class Owner:
    """The principal behind a call; `id` is what `owner` columns store."""

    id: str
    admin: bool = False
    operator: bool = False
    visitor: bool = False  # a secret visitor key (no login): once deleted, never used again

    def __post_init__(self) -> None:
        if not self.id or not self.id.strip():
            raise ValueError("an owner needs a non-empty id")

    def owns(self, owner_id: str | None) -> bool:
        """True when a record stored with `owner_id` belongs to this principal."""
        return owner_id == self.id

    def may_read(self, owner_id: str | None) -> bool:
        """Own records, or anybody's for an admin (the operator included)."""
        return self.admin or self.owns(owner_id)


OPERATOR = Owner(id="operator", admin=True, operator=True)


def new_visitor_key() -> str:
    """An unguessable visitor key (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)
