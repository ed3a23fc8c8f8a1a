"""The guided course: its steps one at a time with the media each shows, and the spot-the-fake quiz.

A step opens its scenario's image and talking photo and/or plays a scam-call dub; media that
the background jobs have not finished are made on the spot (see `ScenarioService.open_scenario`).
The quiz closes each lesson; a person's latest answer to each question is kept, and their score
is counted from what is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.scenarios.assets_plan import Scripts, render_text
from engine.scenarios.models import (
    CallView,
    CourseModule,
    LessonScore,
    QuestionResult,
    QuizQuestion,
    QuizScore,
    ScenarioView,
    StepView,
)  # fmt: skip
from storage.course_quiz import QuizAnswerRepository, QuizAnswerRow
from storage.scenarios import UserRow, utcnow

__all__ = ["CourseGuide"]

OpenScenario = Callable[[str, str, Owner], ScenarioView]
OpenCall = Callable[[str, str, Owner], CallView]
Owned = Callable[[str, Owner], UserRow]


class CourseGuide:
    def __init__(self, scripts: Scripts, answers: QuizAnswerRepository, *, owned: Owned,
                 open_scenario: OpenScenario, open_call: OpenCall) -> None:  # fmt: skip
        self._scripts = scripts
        self._answers = answers
        self._owned = owned
        self._open_scenario = open_scenario
        self._open_call = open_call

    # -- steps ------------------------------------------------------------------------------------

    def step(self, user_id: str, index: int, *, owner: Owner) -> StepView:
        """Step `index` (0-based) of the whole course, with its script for the person and its media."""
        started = time.perf_counter()
        steps = self._scripts.steps()
        if not 0 <= index < len(steps):
            raise InvalidRequest("step", f"the course has steps 1 to {len(steps)}; got step {index + 1}")
        user = self._owned(user_id, owner)
        step = steps[index]
        module = next(m for m in self._scripts.modules if step in m.steps)
        view = StepView(index=index, total=len(steps), module_title=module.title, step=step,
                        text=render_text(step.script, user.name, user.age))  # fmt: skip
        updates: dict[str, object] = {}
        if step.scenario:
            scene = self._open_scenario(user_id, step.scenario, owner)
            updates |= {"image_path": scene.image_path, "video_path": scene.video_path, "realtime": scene.realtime,
                        "image_generation_id": scene.image_generation_id,
                        "video_generation_id": scene.video_generation_id}  # fmt: skip
        if step.dub:
            call = self._open_call(user_id, step.dub, owner)
            updates |= {"call_path": call.path, "call_title": call.title, "call_generation_id": call.generation_id,
                        "realtime": bool(updates.get("realtime")) or call.realtime}  # fmt: skip
        return view.model_copy(update={**updates, "seconds": time.perf_counter() - started})

    # -- the quiz -----------------------------------------------------------------------------------

    def lessons(self) -> list[CourseModule]:
        """The lessons that close with a quiz."""
        return [m for m in self._scripts.modules if m.quiz]

    def answer(self, user_id: str, answers: Mapping[str, int | None], *, owner: Owner) -> QuizScore:
        """Grade `answers` (question id -> index of the chosen answer, None for none) lesson by lesson;
        each lesson answered at least in part replaces the person's earlier answers to it."""
        user = self._owned(user_id, owner)
        questions = {q.id: (m, q) for m in self.lessons() for q in m.quiz}
        unknown = sorted(set(answers) - set(questions))
        if unknown:
            raise InvalidRequest("answers", f"no quiz question {unknown[0]!r}; answer the questions of quiz()")
        for qid, choice in answers.items():
            count = len(questions[qid][1].choices)
            if choice is not None and not 0 <= choice < count:
                raise InvalidRequest("answers", f"question {qid!r} has choices 0 to {count - 1}; got {choice}")
        now = utcnow()
        for module in self.lessons():
            if not any(q.id in answers for q in module.quiz):
                continue
            rows = [QuizAnswerRow(user_id, module.id, q.id, answers.get(q.id), answers.get(q.id) == q.answer, now,
                                  user.owner) for q in module.quiz]  # fmt: skip
            self._answers.replace_lesson(user_id, module.id, rows)
        return self.score(user_id, owner=owner)

    def score(self, user_id: str, *, owner: Owner) -> QuizScore:
        """The person's score from their stored answers (lessons not yet answered are left out)."""
        self._owned(user_id, owner)
        stored = {(r.module_id, r.question_id): r.choice for r in self._answers.for_user(user_id)}
        lessons = []
        for module in self.lessons():
            if not any((module.id, q.id) in stored for q in module.quiz):
                continue
            results = [_result(q, stored.get((module.id, q.id))) for q in module.quiz]
            lessons.append(LessonScore(module_id=module.id, title=module.title, total=len(results),
                                       correct=sum(r.right for r in results), results=results))  # fmt: skip
        return QuizScore(user_id=user_id, lessons=lessons, correct=sum(x.correct for x in lessons),
                         total=sum(x.total for x in lessons))  # fmt: skip


def _result(question: QuizQuestion, chosen: int | None) -> QuestionResult:
    return QuestionResult(question_id=question.id, chosen=chosen, right=chosen == question.answer,
                          correct_choice=question.choices[question.answer], explain=question.explain)  # fmt: skip
