"""The base-image state machine on its own: allowed moves, and refusals that name them."""

from __future__ import annotations

import pytest

from engine.errors import InvalidRequest
from engine.personas import BaseImageStatus as S
from engine.personas.states import check_image_allowed, check_transition


@pytest.mark.parametrize(("current", "target"), [(S.DRAFT, S.APPROVED), (S.DRAFT, S.REJECTED), (S.APPROVED, S.DRAFT)])
def test_allowed_transitions(current: S, target: S) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PENDING_UPLOAD, S.APPROVED, "draft (by a new image"),
        (S.APPROVED, S.REJECTED, "draft (unlock)"),
        (S.REJECTED, S.APPROVED, "draft (by a new image"),
        (S.DRAFT, S.PENDING_UPLOAD, "approved, rejected"),
        (S.DRAFT, S.DRAFT, "approved, rejected"),
    ],
)
def test_refused_transitions_name_the_allowed_ones(current: S, target: S, allowed: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_transition(current, target)
    message = caught.value.user_message
    assert f"cannot go from {current.value} to {target.value}" in message and allowed in message


def test_a_new_image_is_refused_only_while_approved() -> None:
    for state in (S.PENDING_UPLOAD, S.DRAFT, S.REJECTED):
        check_image_allowed(state)
    with pytest.raises(InvalidRequest, match="unlock"):
        check_image_allowed(S.APPROVED)
