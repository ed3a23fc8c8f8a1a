"""The base-image state machine: pending_upload → draft → approved | rejected, and back by image or unlock.

```
pending_upload ──image──► draft ──approve──► approved ──unlock──► draft
                          │  ▲                                     
                       reject│ image (upload, generate, pick)      
                          ▼  │                                     
                         rejected
```

- An *image* (upload, generation, pick from a batch) moves `pending_upload`, `draft` and
  `rejected` to `draft`; an approved persona refuses a new image until it is unlocked.
- `approved` locks the appearance; going back to `draft` from `approved` is the unlock.
- Any other move is refused with a message naming the moves allowed from the current state.
"""

from __future__ import annotations

from engine.errors import InvalidRequest
from engine.personas.models import BaseImageStatus

__all__ = ["BY_IMAGE", "BY_TRANSITION", "allowed_moves", "check_image_allowed", "check_transition"]

S = BaseImageStatus

# Moves asked for by name (`studio persona transition ID STATE`).
BY_TRANSITION: dict[BaseImageStatus, frozenset[BaseImageStatus]] = {
    S.PENDING_UPLOAD: frozenset(),
    S.DRAFT: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.DRAFT}),  # the explicit unlock
    S.REJECTED: frozenset(),
}
# States from which a new base image (upload / generate / pick) is accepted; it always lands in draft.
BY_IMAGE: frozenset[BaseImageStatus] = frozenset({S.PENDING_UPLOAD, S.DRAFT, S.REJECTED})

_ORDER = [S.PENDING_UPLOAD, S.DRAFT, S.APPROVED, S.REJECTED]


def allowed_moves(current: BaseImageStatus) -> list[str]:
    """Human-readable moves from `current`, for messages and the tab."""
    moves = [f"{target.value}" + (" (unlock)" if current is S.APPROVED else "")
             for target in _ORDER if target in BY_TRANSITION[current]]
    if current in BY_IMAGE:
        moves.append("draft (by a new image: upload, generate or pick)")
    return moves


def check_transition(current: BaseImageStatus, target: BaseImageStatus) -> None:
    """Raise `InvalidRequest` naming the allowed moves unless `current → target` may be asked for."""
    if target in BY_TRANSITION[current]:
        return
    raise InvalidRequest(
        "state",
        f"cannot go from {current.value} to {target.value}; allowed from {current.value}: "
        + ", ".join(allowed_moves(current)),
    )


def check_image_allowed(current: BaseImageStatus) -> None:
    """Raise `InvalidRequest` when the base image may not change (approved: unlock first)."""
    if current in BY_IMAGE:
        return
    raise InvalidRequest(
        "base_image",
        f"the base image is {current.value} and its appearance is locked; unlock it first "
        f"(allowed from {current.value}: " + ", ".join(allowed_moves(current)) + ")",
    )
