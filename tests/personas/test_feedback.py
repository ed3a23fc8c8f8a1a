"""Persona posts go through the hybrid router; model posts and batch images carry generation ids
that their owner, and only their owner, can rate."""

from __future__ import annotations

import pytest

from engine.errors import NotFound
from engine.ownership import OPERATOR, Owner
from engine.personas import PersonaProfile
from engine.personas.images import PERSONA_IMAGE_KIND
from engine.personas.text import POST_KIND
from tests.personas import fakes
from tests.personas.conftest import EngineFactory

ALICE = Owner("alice")
BOB = Owner("bob")
ADA = PersonaProfile(name="Ada", personality_traits=["geeky", "kind"], voice_style="precise", themes=["robotics"],
                     appearance_description="short dark hair")


def _record(engine, generation_id: str) -> tuple:
    engine.generations.flush()
    return engine.db.cursor().execute(
        "SELECT owner, kind, capability, provider FROM generations WHERE id = ?", [generation_id]
    ).fetchone()


def test_a_model_post_is_routed_logged_and_rated_by_its_owner(make_engine: EngineFactory,
                                                              fresh_script: fakes.Script) -> None:  # fmt: skip
    # threshold 0: every post goes to the configured (strong) fake; no local fallback behind it
    engine = make_engine(text_provider="persona-fake", router_threshold=0.0, router_local_fallback=False)
    ada = engine.personas.create(ADA, owner=ALICE)
    post = engine.personas.write(ada.id, "what did you build", owner=ALICE, source="model")
    assert post.source == "model" and post.generation_id and post.routed_to == "persona-fake"
    assert any("strong model" in reason for reason in post.route_reasons)
    assert _record(engine, post.generation_id) == ("alice", POST_KIND, "text", "persona-fake")
    [decision] = [d for d in engine.analytics.decisions(50, owner=OPERATOR) if d.generation_id == post.generation_id]
    assert (decision.kind, decision.owner, decision.chosen, decision.tier) == (POST_KIND, "alice", "persona-fake",
                                                                               "strong")
    assert (decision.reasons[0].startswith("complexity") and decision.reasons == post.route_reasons)

    assert engine.analytics.feedback(post.generation_id, 5, "sounds like her", owner=ALICE).rating == 5
    with pytest.raises(NotFound):
        engine.analytics.feedback(post.generation_id, 1, owner=BOB)
    assert engine.db.cursor().execute("SELECT owner, generation_id, rating, comment FROM feedback").fetchall() == [
        ("alice", post.generation_id, 5, "sounds like her")
    ]

    # the strong model fails and local fallback is off: the templates write, nothing to rate
    fresh_script.fail_text = True
    failed = engine.personas.write(ada.id, "x", owner=ALICE, source="model")
    assert failed.source == "template" and failed.generation_id is None and "failed" in failed.note
    template = engine.personas.write(ada.id, "x", owner=ALICE, source="template")
    assert template.generation_id is None and template.routed_to is None


def test_an_unusable_model_answer_is_not_offered_for_rating(make_engine: EngineFactory,
                                                              fresh_script: fakes.Script) -> None:  # fmt: skip
    engine = make_engine(text_provider="persona-fake", fallback_providers=[])
    ada = engine.personas.create(ADA, owner=ALICE)
    fresh_script.reply = "Sure"
    short = engine.personas.write(ada.id, "x", owner=ALICE, source="model")
    assert short.source == "template" and short.generation_id is None and "too short" in short.note
    assert short.routed_to == "persona-fake" and any("no bundled local model" in r for r in short.route_reasons)


def test_each_batch_image_has_its_own_generation_to_rate(make_engine: EngineFactory) -> None:
    engine = make_engine(image_provider="face-fake", fallback_providers=[], cpu_workers=2)
    ada = engine.personas.create(ADA, owner=ALICE)
    images = engine.personas.batch(ada.id, ["at the lab", "FAIL please", "on stage"], owner=ALICE)
    assert [i.status for i in images] == ["completed", "failed", "completed"]
    ids = [i.generation_id for i in images if i.status == "completed"]
    assert all(ids) and len(set(ids)) == 2 and images[1].generation_id is None
    for generation_id in ids:
        assert _record(engine, generation_id) == ("alice", PERSONA_IMAGE_KIND, "image", "face-fake")
    engine.analytics.feedback(ids[0], 3, "too dark", owner=ALICE)
    with pytest.raises(NotFound):
        engine.analytics.feedback(ids[1], 5, owner=BOB)
    assert [(f.rating, f.comment) for f in engine.analytics.feedback_for(ids[0], owner=ALICE)] == [(3, "too dark")]
    assert engine.analytics.feedback_for(ids[1], owner=ALICE) == []
    # each stored image keeps its generation id, so it can be rated later (a reopened persona)
    stored = engine.personas.images(ada.id, owner=ALICE)
    assert [(i.index, i.generation_id) for i in stored] == [(i.index, i.generation_id) for i in images]
