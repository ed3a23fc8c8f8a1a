"""The guided course on the onboarding tab: a step list with Back and Next, each step's scene,
talking photo or phone call with its narration (each with a rating row under it), progress
through the course, and the spot-the-fake quiz at the end with the person's score."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.scenarios import QuizScore
from studio import feedback
from studio.identity import Identities
from studio.inline_notice import notice_html, progress_html, refuses_inline
from studio.visibility import WITH_AUDIO, WITH_IMAGE, WITH_VIDEO

__all__ = ["CourseView", "build_course"]

Updates = dict[Any, Any]


@dataclass
class CourseView:
    """The course's components; `outputs` is what opening a step replaces, in the API's order."""

    panel: gr.Column
    notice: gr.HTML
    steps: gr.Radio
    progress: gr.HTML
    title: gr.Markdown
    text: gr.Markdown
    narration: gr.Audio
    image: gr.Image
    video: gr.Video
    call: gr.Audio
    back: gr.Button
    next: gr.Button
    step_box: gr.Column
    quiz_box: gr.Column
    answers: list[gr.Radio]
    score: gr.Markdown
    stream: Callable[[str, int, Owner], Iterator[Updates]]
    rated: dict[str, gr.State]  # scene, talking_photo, call, narration -> the generation id the rating row rates

    @property
    def outputs(self) -> list[Any]:
        # the rating rows' states come last: the API does not return them (its order stays)
        return [self.notice, self.steps, self.progress, self.title, self.text, self.narration, self.image,
                self.video, self.call, self.back, self.next, self.step_box, self.quiz_box, self.score,
                *self.rated.values()]

    def cleared(self) -> Updates:
        """Every output of the course emptied, the course hidden (after a deletion)."""
        return {self.panel: gr.update(visible=False), self.notice: "", self.steps: gr.update(value=None),
                self.progress: "", self.title: "", self.text: "", self.narration: None,
                self.image: None, self.video: None, self.call: None, self.score: "",
                **{radio: gr.update(value=None) for radio in self.answers},
                **{state: None for state in self.rated.values()}}  # fmt: skip


def _score_markdown(score: QuizScore) -> str:
    if not score.lessons:
        return ""
    lines = [f"### Your score: {score.correct} of {score.total}", ""]
    for lesson in score.lessons:
        lines.append(f"- **{lesson.title}**: {lesson.correct} of {lesson.total}")
    missed = [r for lesson in score.lessons for r in lesson.results if not r.right]
    if missed:
        lines += ["", "**To remember**", ""]
        lines += [f"- {r.correct_choice}. {r.explain}" for r in missed]
    else:
        lines += ["", "All right: you can spot these fakes."]
    return "\n".join(lines)


def build_course(engine: Engine, who: Identities, user_box: gr.Textbox) -> CourseView:
    """Render the course (hidden until a person is onboarded) and wire its Back, Next, list and quiz."""
    scenarios = engine.scenarios
    steps = [step for module in scenarios.course() for step in module.steps]
    lessons = scenarios.quiz()
    total = len(steps)
    quiz_at = total  # the position after the last step
    choices = [(f"{i + 1}. {s.title}", i) for i, s in enumerate(steps)] + [("Quiz", quiz_at)]

    with gr.Column(visible=False, elem_id="course") as panel:
        gr.Markdown("## Your course")
        step_list = gr.Radio(choices, label="Course steps", value=None, elem_id="course-steps")
        progress = gr.HTML(elem_id="course-progress")
        with gr.Row(equal_height=True):
            back = gr.Button("Back", interactive=False, elem_id="course-back", min_width=100)
            forward = gr.Button("Next", variant="primary", elem_id="course-next", min_width=100)
        notice = gr.HTML(elem_id="course-notice")
        with gr.Column(elem_id="course-step") as step_box:
            title = gr.Markdown(elem_id="course-step-title")
            text = gr.Markdown(elem_id="course-step-text")
            rated = {name: gr.State(None) for name in ("scene", "talking_photo", "call", "narration")}
            # each box shows itself while it holds its media (studio.visibility): a step sends values only
            with gr.Row():
                with gr.Column(min_width=280, elem_classes=[WITH_IMAGE]):
                    image = gr.Image(label="The scene", show_label=False, interactive=False, buttons=[],
                                     elem_id="course-image", min_width=280)  # fmt: skip
                    feedback.attach(engine, rated["scene"], who, api_name="feedback_scenario",
                                    label="Rate this scene", elem_id="rate-scene")
                with gr.Column(min_width=280, elem_classes=[WITH_VIDEO]):
                    video = gr.Video(label="Talking photo", show_label=False, interactive=False, buttons=[],
                                     elem_id="course-video", min_width=280)  # fmt: skip
                    feedback.attach(engine, rated["talking_photo"], who, api_name="feedback_talking_photo",
                                    label="Rate this talking photo", elem_id="rate-talking-photo")
            with gr.Column(elem_classes=[WITH_AUDIO]):
                call = gr.Audio(label="The scam call (simulated)", type="filepath", interactive=False,
                                buttons=["download"], elem_id="course-call")  # fmt: skip
                feedback.attach(engine, rated["call"], who, api_name="feedback_call", label="Rate this call",
                                elem_id="rate-call")
            with gr.Column(elem_classes=[WITH_AUDIO]):
                narration = gr.Audio(label="Narration", type="filepath", interactive=False, autoplay=True,
                                     elem_id="course-narration")  # fmt: skip
                feedback.attach(engine, rated["narration"], who, api_name="feedback_narration",
                                label="Rate the narration", elem_id="rate-narration")
        with gr.Column(visible=False, elem_id="course-quiz") as quiz_box:
            gr.Markdown("### Spot the fake: a short quiz for each lesson")
            answers: list[gr.Radio] = []
            for number, lesson in enumerate(lessons, start=1):
                gr.Markdown(f"**Lesson {number}: {lesson.title}**")
                for question in lesson.quiz:
                    answers.append(gr.Radio([(c, i) for i, c in enumerate(question.choices)], label=question.question,
                                            value=None, elem_classes=["course-question"]))  # fmt: skip
            check = gr.Button("Check my answers", variant="primary", elem_id="course-check")
            score = gr.Markdown(elem_id="course-score")

    def stream(user_id: str, position: int, owner: Owner) -> Iterator[Updates]:
        """The updates that open `position` (a step, or the quiz after the last step), as they come."""
        if not user_id:
            raise InvalidRequest("user", "make your course first (the form above)")
        if not 0 <= position <= quiz_at:
            raise InvalidRequest("step", f"the course has steps 1 to {total} and the quiz; got {position + 1}")
        nav = {step_list: position, back: gr.update(interactive=position > 0),
               forward: gr.update(interactive=position < quiz_at,
                                  value="Take the quiz" if position == total - 1 else "Next")}  # fmt: skip
        if position == quiz_at:
            stored = scenarios.quiz_score(user_id, owner=owner)
            yield {**nav, step_box: gr.update(visible=False), quiz_box: gr.update(visible=True), narration: None,
                   progress: progress_html(total, total, f"Course done: {total} of {total} steps. Now the quiz."),
                   notice: "", score: _score_markdown(stored)}  # fmt: skip
            return
        step = steps[position]
        module = next(m for m in scenarios.course() if step in m.steps)
        making = "Opening the step" + (": showing your scene" if step.scenario else "") + (
            ": playing your call" if step.dub else "")
        # Each yield updates what changed; the last one carries every output (what an API caller reads).
        state: Updates = {**nav, step_box: gr.update(visible=True), quiz_box: gr.update(visible=False),
                          progress: progress_html(position + 1, total, f"Step {position + 1} of {total} · {module.title}"),
                          title: f"### {step.title}", text: "", narration: None, score: gr.update(),
                          image: None, video: None, call: None,  # their boxes hide until the values come
                          notice: progress_html(0, 2, f"{making} (1/2)…"),
                          **{state: None for state in rated.values()}}  # the last step's ratings go at once
        yield dict(state)
        view = scenarios.course_step(user_id, position, owner=owner)
        made = " (made just now)" if view.realtime else ""
        # plain values, so that an API caller reads the paths
        listen = f"\n\n**Listen to the call:** {view.call_title}, in your simulated voice." if view.call_title else ""
        media = {text: view.text + listen, image: str(view.image_path) if view.image_path else None,
                 video: str(view.video_path) if view.video_path else None,
                 call: str(view.call_path) if view.call_path else None,
                 rated["scene"]: view.image_generation_id, rated["talking_photo"]: view.video_generation_id,
                 rated["call"]: view.call_generation_id,
                 notice: progress_html(1, 2, f"Preparing the narration (2/2){made}…")}  # fmt: skip
        state.update(media)
        yield media
        spoken = scenarios.narration(user_id, step.id, owner=owner)
        source = "from the cache" if spoken.hit else "made just now"
        state.update({narration: str(spoken.path), rated["narration"]: spoken.generation_id,
                      notice: notice_html(f"Step {position + 1} of {total} is ready; narration {source} "
                                          f"in {spoken.seconds * 1000:.0f} ms.")})  # fmt: skip
        yield state

    outputs = [notice, step_list, progress, title, text, narration, image, video, call, back, forward, step_box,
               quiz_box, score, *rated.values()]  # fmt: skip

    def mover(delta: int) -> Callable[..., Iterator[Updates]]:
        @refuses_inline(notice)
        def move(user_id: str, position: int | None, request: gr.Request) -> Iterator[Updates]:
            yield from stream(user_id, (position if position is not None else 0) + delta, who.owner(request))

        return move

    @refuses_inline(notice)
    def on_answer(request: gr.Request, user_id: str, *chosen: int | None) -> Updates:
        if not user_id:
            raise InvalidRequest("user", "make your course first (the form above)")
        questions = [q.id for lesson in lessons for q in lesson.quiz]
        result = scenarios.answer_quiz(user_id, dict(zip(questions, chosen, strict=True)), owner=who.owner(request))
        return {score: _score_markdown(result),
                notice: notice_html(f"Your score: {result.correct} of {result.total}.")}  # fmt: skip

    step_list.input(mover(0), [user_box, step_list], outputs, api_name="course_step")
    back.click(mover(-1), [user_box, step_list], outputs, api_visibility="private")
    forward.click(mover(1), [user_box, step_list], outputs, api_visibility="private")
    check.click(on_answer, [user_box, *answers], [score, notice], api_name="answer_quiz")
    return CourseView(panel=panel, notice=notice, steps=step_list, progress=progress, title=title, text=text,
                      narration=narration, image=image, video=video, call=call, back=back, next=forward,
                      step_box=step_box, quiz_box=quiz_box, answers=answers, score=score, stream=stream,
                      rated=rated)  # fmt: skip
