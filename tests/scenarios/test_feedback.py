"""Feedback on every output of the course, on the real embedded models: the caricature, each scene,
talking photo and scam call, and the narration carry the id of an output record of their owner;
only that owner rates them, and none of them counts as a model request."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import NotFound
from engine.ownership import OPERATOR, Owner
from engine.scenarios import OnboardRequest

ALEX, BOB = Owner("visitor-alex", visitor=True), Owner("visitor-bob", visitor=True)
OUTPUT_KINDS = {"image": "scenario_image", "video": "talking_photo", "dub": "scam_call"}


@pytest.mark.slow
def test_every_course_output_is_rated_by_its_owner_only(scenario_engine, face_jpeg, voice_wav) -> None:
    engine, service = scenario_engine
    request = OnboardRequest(name="Alex Doe", age=34, gender="female", photo=face_jpeg, voice=voice_wav, consent=True)
    result = service.onboard(request, owner=ALEX)
    person = result.user_id
    assert result.caricature_generation_id
    statuses = service.wait(person, timeout=240, owner=ALEX)
    assert [s.status for s in statuses] == ["completed"] * 10, [(s.name, s.error) for s in statuses]
    ids = {s.name: s.generation_id for s in statuses}
    assert all(ids.values()) and len(set(ids.values())) == 10

    engine.generations.flush()
    rows = dict((r[0], r[1:]) for r in engine.db.cursor().execute(
        "SELECT id, capability, kind, owner, user_id FROM generations WHERE capability = 'output'").fetchall())  # fmt: skip
    for status in statuses:
        assert rows[status.generation_id] == ("output", OUTPUT_KINDS[status.kind], ALEX.id, person), status.name
    assert rows[result.caricature_generation_id] == ("output", "caricature", ALEX.id, person)

    steps = [s for m in service.course() for s in m.steps]
    scene_at = next(i for i, s in enumerate(steps) if s.scenario)
    call_at = next(i for i, s in enumerate(steps) if s.dub)
    scene = service.course_step(person, scene_at, owner=ALEX)
    assert scene.image_generation_id == ids[f"{steps[scene_at].scenario}_image"]
    assert scene.video_generation_id == ids[f"{steps[scene_at].scenario}_video"]
    call = service.course_step(person, call_at, owner=ALEX)
    assert call.call_generation_id == ids[steps[call_at].dub]
    opened = service.open_scenario(person, steps[scene_at].scenario, owner=ALEX)
    assert (opened.image_generation_id, opened.video_generation_id) == (scene.image_generation_id, scene.video_generation_id)

    spoken = service.narration(person, steps[0].id, preload_next=False, owner=ALEX)
    again = service.narration(person, steps[0].id, preload_next=False, owner=ALEX)
    assert again.hit and spoken.generation_id and again.generation_id == spoken.generation_id  # one audio, one record

    rated = [result.caricature_generation_id, scene.image_generation_id, scene.video_generation_id,
             call.call_generation_id, spoken.generation_id]  # fmt: skip
    for generation_id in rated:
        with pytest.raises(NotFound):
            engine.analytics.feedback(generation_id, 1, owner=BOB)  # another visitor: refused
        assert engine.analytics.feedback(generation_id, 4, owner=ALEX).rating == 4

    charts = engine.analytics.dashboard(date.today(), date.today(), owner=OPERATOR)
    made = {"caricature", "scenario_image", "talking_photo", "scam_call", "narration"}
    assert made <= set(charts["ratings"]["workflow"])
    assert not made & set(charts["requests"]["workflow"])  # the speech, vision and video calls count; outputs not
    # every model call of the course says what it was for: none shows as a bare capability
    assert set(charts["requests"]["workflow"]) == {"scenario_onboarding", "scenario_video", "scenario_call",
                                                   "scenario_narration"}

    service.delete_user(person, owner=ALEX)
    engine.generations.flush()
    left = engine.db.cursor().execute("SELECT count(*) FROM generations WHERE owner = ?", [ALEX.id]).fetchone()
    assert left == (0,) and engine.db.cursor().execute("SELECT count(*) FROM feedback").fetchone() == (0,)
