"""A correction needs an explicit pick, and a retrain is seen at once: cached answers are not served again."""

from __future__ import annotations

import pytest

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.intent import Method, Workflow
from engine.ownership import Owner

PROMPT = "zorblify the quibble on this"


@pytest.mark.parametrize("pick", [None, "", "teleportation"])
def test_a_correction_without_a_real_pick_is_refused_and_nothing_stored(engine: Engine, pick: str | None) -> None:
    with pytest.raises(InvalidRequest, match="pick") as caught:
        engine.intent.correct(PROMPT, True, pick, owner=Owner("u1"))
    assert "workflow" in caught.value.user_message
    assert engine.intent.retrain() == 0


def test_after_a_retrain_the_corrected_prompt_gets_the_new_answer_not_the_cached_one(engine: Engine) -> None:
    owner = Owner("u1")
    before = engine.intent.classify(PROMPT, True, Method.EMBEDDING, owner=owner)
    assert engine.intent.classify(PROMPT, True, Method.EMBEDDING, owner=owner).workflow_type is before.workflow_type
    right = Workflow.VIDEO_GENERATION if before.workflow_type is not Workflow.VIDEO_GENERATION else Workflow.HAIR_STYLING
    engine.intent.correct(PROMPT, True, right, owner=owner)
    assert engine.intent.retrain() == 1
    after = engine.intent.classify(PROMPT, True, Method.EMBEDDING, owner=owner)
    assert after.workflow_type is right
    engine.intent.flush()
    hits = engine.db.cursor().execute(
        "SELECT cache_hit FROM intent_classifications WHERE method = 'embedding' ORDER BY created_at"
    ).fetchall()
    assert hits == [(False,), (True,), (False,)]  # the second was cached; after the retrain, the new head answered
