"""The guided course on the real engine: every step opens its scene, talking photo or scam call for its
person; the spot-the-fake quiz is graded, kept per person and owner, replaced on a new attempt, and
deleted with the person."""

from __future__ import annotations

import pytest

from engine.errors import InvalidRequest, NotFound
from engine.ownership import Owner
from engine.scenarios import OnboardRequest
from engine.scenarios.provenance import read_png_manifest, read_wav_manifest

ALEX, BOB = Owner("visitor-alex", visitor=True), Owner("visitor-bob", visitor=True)


def _onboard(service, face_jpeg: bytes, voice_wav: bytes, owner: Owner = ALEX) -> str:
    request = OnboardRequest(name="Alex Doe", age=34, gender="female", photo=face_jpeg, voice=voice_wav, consent=True)
    return service.onboard(request, owner=owner).user_id


@pytest.mark.slow
def test_each_step_shows_its_scene_talking_photo_or_call(scenario_engine, face_jpeg, voice_wav) -> None:
    engine, service = scenario_engine
    person = _onboard(service, face_jpeg, voice_wav)
    steps = [s for m in service.course() for s in m.steps]
    assert len(steps) == 10
    first = service.course_step(person, 0, owner=ALEX)  # at once: the background jobs may still run
    assert first.index == 0 and first.total == 10 and "Alex Doe" in first.text
    assert first.image_path is None and first.video_path is None and first.call_path is None

    shown_scenes, played_calls = set(), set()
    for index, step in enumerate(steps):
        view = service.course_step(person, index, owner=ALEX)
        assert view.step.id == step.id and view.module_title
        if step.scenario:
            assert view.image_path.is_file() and view.video_path.is_file()
            assert read_png_manifest(view.image_path.read_bytes())["asset"] == f"{step.scenario}_image"
            shown_scenes.add(step.scenario)
        if step.dub:
            call = view.call_path.read_bytes()
            assert call[:4] == b"RIFF" and read_wav_manifest(call)["asset"] == step.dub and view.call_title
            played_calls.add(step.dub)
        if not step.scenario and not step.dub:
            assert view.image_path is None and view.call_path is None
    assert shown_scenes == {"lottery", "suspect", "investment", "accident"}  # every scenario has its step
    assert played_calls == {"investment_call", "accident_call"}  # and both scam calls can be played

    with pytest.raises(InvalidRequest, match="steps 1 to 10"):
        service.course_step(person, 10, owner=ALEX)
    with pytest.raises(NotFound):
        service.course_step(person, 1, owner=BOB)


@pytest.mark.slow
def test_quiz_is_graded_kept_per_person_and_deleted_with_them(scenario_engine, face_jpeg, voice_wav) -> None:
    engine, service = scenario_engine
    person = _onboard(service, face_jpeg, voice_wav)
    lessons = service.quiz()
    assert len(lessons) == 2 and all(len(lesson.quiz) >= 3 for lesson in lessons)
    assert service.quiz_score(person, owner=ALEX).lessons == []  # nothing answered yet

    seeing, hearing = lessons
    right = {q.id: q.answer for q in seeing.quiz}
    score = service.answer_quiz(person, right, owner=ALEX)
    assert [(x.module_id, x.correct, x.total) for x in score.lessons] == [("seeing", 3, 3)]

    wrong_first = {q.id: (q.answer + 1) % len(q.choices) for q in hearing.quiz[:1]}
    score = service.answer_quiz(person, {**wrong_first, hearing.quiz[1].id: hearing.quiz[1].answer}, owner=ALEX)
    by_lesson = {x.module_id: x for x in score.lessons}
    assert (by_lesson["hearing"].correct, by_lesson["hearing"].total) == (1, 3)  # the unanswered third is not right
    assert (score.correct, score.total) == (4, 6)
    missed = [r for r in by_lesson["hearing"].results if not r.right]
    assert missed[0].correct_choice == hearing.quiz[0].choices[hearing.quiz[0].answer] and missed[0].explain

    again = service.answer_quiz(person, {q.id: q.answer for q in hearing.quiz}, owner=ALEX)  # a new attempt replaces
    assert (again.correct, again.total) == (6, 6) and service.quiz_score(person, owner=ALEX) == again

    with pytest.raises(InvalidRequest, match="no quiz question"):
        service.answer_quiz(person, {"made-up": 0}, owner=ALEX)
    with pytest.raises(InvalidRequest, match="choices 0 to"):
        service.answer_quiz(person, {seeing.quiz[0].id: 7}, owner=ALEX)
    with pytest.raises(NotFound):
        service.quiz_score(person, owner=BOB)
    with pytest.raises(NotFound):
        service.answer_quiz(person, right, owner=BOB)

    report = engine.deletion.forget(owner=ALEX)
    assert report.tables["course_quiz_answers"] == 6
    left = engine.db.cursor().execute("SELECT count(*) FROM course_quiz_answers WHERE user_id = ?", [person]).fetchone()
    assert left[0] == 0
