"""Per-owner limits at the entry of every service that spends compute.

One `OwnerLimits` is built with the engine and shared by every service, so one visitor's
requests count against that visitor alone, whichever tab they come from. The operator
(local CLI work) is the machine's own user and is never cut short.
"""

from __future__ import annotations

from engine.ownership import Owner
from engine.resilience.usage import UsageLimiter

__all__ = ["OwnerLimits"]


class OwnerLimits:
    def __init__(self, limiter: UsageLimiter) -> None:
        self._limiter = limiter

    def check(self, owner: Owner, *, estimated_cost_usd: float = 0.0) -> None:
        """Count one request (and its estimated cost) for `owner`; `RateLimited` past a limit."""
        if owner.operator:
            return
        self._limiter.check_and_consume(owner.id, estimated_cost_usd)
