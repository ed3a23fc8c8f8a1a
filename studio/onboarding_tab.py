"""Onboarding tab: the form, the caricature and the making of the ten assets, the guided course
(`studio.course_view`), coming back with a key, and deleting everything with a confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.scenarios import OnboardRequest
from studio import feedback
from studio.course_view import build_course
from studio.course_words import making_stage, removed_words, status_rows
from studio.identity import Identities
from studio.inline_notice import notice_html, progress_html, refuses_inline
from studio.uploads import ImageFile, read_upload

__all__ = ["build"]

CONSENT = ("I agree that Studio may use my photo and voice to make labelled simulations for this course, "
           "and I can delete them at any time.")  # fmt: skip
INTRO = """From one photo and a few seconds of your voice, Studio makes a short course about scams that copy
faces and voices: a caricature of you, four scenes with talking photos, and two phone calls in a
simulated copy of your voice, each labelled as a simulation. Ten steps with narration, then a
short quiz. You can delete everything at any time."""

Updates = dict[Any, Any]


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    scenarios = engine.scenarios

    with gr.Accordion("Your photo and voice", open=True, elem_id="onboard-form") as form_box:
        gr.Markdown(INTRO, elem_id="onboard-intro")
        with gr.Row():
            name = gr.Textbox(label="Name", min_width=220, scale=3)
            age = gr.Number(label="Age", value=30, precision=0, min_width=100, scale=1)
            gender = gr.Radio(["female", "male", "other"], value="other", label="Gender", min_width=240, scale=2)
        with gr.Row():
            photo = ImageFile(type="filepath", label="Face photo (you alone, facing the camera)",
                              sources=["upload", "webcam"], elem_id="onboard-photo", min_width=260)  # fmt: skip
            voice = gr.Audio(label="Voice sample, 3-60 s", sources=["upload", "microphone"], type="filepath",
                             elem_id="onboard-voice", min_width=260)  # fmt: skip
        consent = gr.Checkbox(label=CONSENT, value=False, elem_id="onboard-consent")
        submit = gr.Button("Make my course", variant="primary", elem_id="onboard-submit")
    making = gr.HTML(elem_id="onboard-progress")  # progress and refusals, right under the button
    watching = gr.State("")  # the course whose making is followed (set only by a successful onboarding)
    user_box = gr.Textbox(visible=False, elem_id="onboard-course-id")  # the person's course id

    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            course = build_course(engine, who, user_box)
        with gr.Column(scale=1, min_width=260):
            caricature = gr.Image(label="Your caricature", show_label=False, interactive=False, visible=False,
                                  buttons=[], elem_id="onboard-caricature")  # fmt: skip
            caption = gr.Markdown("Your caricature: a labelled simulation.", visible=False)
            caricature_id = gr.State(None)  # what the caricature's rating row rates
            caricature_rating = feedback.attach(engine, caricature_id, who, api_name="feedback_caricature",
                                                label="Rate your caricature", visible=False,
                                                elem_id="rate-caricature")  # fmt: skip
            table = gr.Dataframe(headers=["made for you", "state"], interactive=False, wrap=True, visible=False,
                                 column_widths=["55%", "45%"], elem_id="onboard-status")  # fmt: skip
            refresh = gr.Button("Refresh status", size="sm", visible=False)

    with gr.Accordion("Come back with your key", open=False, elem_id="onboard-key"):
        gr.Markdown("Your key is a secret like a password: whoever holds it sees your course. "
                    "Keep it to come back from another session; never share it.")  # fmt: skip
        key_box = gr.Textbox(label="Your key", type="password")
        with gr.Row():
            show_key = gr.Button("Show my key", size="sm")
            come_back = gr.Button("Come back with this key", size="sm")
        key_notice = gr.HTML()
    with gr.Column(elem_id="delete-data"):
        delete_button = gr.Button("Delete my data", variant="stop", elem_id="delete-ask", size="sm")
        with gr.Column(visible=False, variant="panel", elem_id="delete-confirm") as confirm_box:
            gr.Markdown("**Delete everything you made here?** Your photo and voice, the course and its media, "
                        "your stories and lab results. This cannot be undone.")  # fmt: skip
            with gr.Row():
                confirm_yes = gr.Button("Yes, delete everything", variant="stop", elem_id="delete-confirm-yes")
                confirm_no = gr.Button("Keep my data", elem_id="delete-confirm-no")
        deleted = gr.HTML(elem_id="delete-result")

    form_outputs = [making, watching, form_box, caricature, caption, user_box, table, refresh, course.panel,
                    caricature_id, caricature_rating]  # fmt: skip

    @refuses_inline(making)
    def on_onboard(name_v: str, age_v: float, gender_v: str, photo_v: str, voice_v: str, consent_v: bool,
                   request: gr.Request) -> Iterator[Updates]:  # fmt: skip
        owner = who.owner(request)
        yield {making: progress_html(0, 3, "Checking your photo and voice (1/3)…"), watching: "", deleted: ""}
        who.received(owner, [photo_v, voice_v])
        photo_bytes, photo_name = read_upload(photo_v, "photo")
        voice_bytes, voice_name = read_upload(voice_v, "voice")
        result = scenarios.onboard(OnboardRequest(
            name=name_v or "", age=int(age_v or 0), gender=gender_v or "other", photo=photo_bytes, photo_name=photo_name,
            voice=voice_bytes, voice_name=voice_name, consent=bool(consent_v)), owner=owner)  # fmt: skip
        ready, total, stage = making_stage(result.assets)
        made = {making: progress_html(ready, total, stage), watching: result.user_id, user_box: result.user_id,
                caricature: gr.update(value=str(result.caricature_path), visible=True), caption: gr.update(visible=True),
                caricature_id: result.caricature_generation_id, caricature_rating: gr.update(visible=True),
                form_box: gr.update(open=False), table: gr.update(value=status_rows(result.assets), visible=True),
                refresh: gr.update(visible=True), course.panel: gr.update(visible=True),
                **{answer: None for answer in course.answers}}  # a new course: no old quiz picks  # fmt: skip
        yield made
        last = None
        for part in course.stream(result.user_id, 0, owner):  # the course opens at its first step
            if last is not None:
                yield last
            last = part
        # the last update carries every output, as plain values where it can (what an API caller reads)
        yield {**made, caricature: str(result.caricature_path), **(last or {})}

    def statuses(user_id: str, request: gr.Request) -> Iterator[Updates]:
        for current in scenarios.watch(user_id, timeout=600, owner=who.owner(request)):  # on each job event
            ready, total, stage = making_stage(current)
            yield {table: gr.update(value=status_rows(current), visible=True), making: progress_html(ready, total, stage)}

    @refuses_inline(making)
    def on_status(user_id: str, request: gr.Request) -> Iterator[Updates]:
        if not user_id:
            raise InvalidRequest("user", "make your course first")
        yield from statuses(user_id, request)

    def follow(user_id: str, request: gr.Request) -> Iterator[Updates]:
        """After onboarding: follow the making (nothing when the onboarding was refused)."""
        if not user_id:
            # no update: a generator that yields nothing would blank its outputs (the refusal shown)
            yield {table: gr.skip(), making: gr.skip()}
            return
        yield from refuses_inline(making)(statuses)(user_id, request)

    @refuses_inline(key_notice)
    def on_show_key(request: gr.Request) -> Updates:
        key = who.visitor_key(request)
        note = "" if key else notice_html("You are logged in: your account keeps your records, no key is needed.")
        return {key_box: key, key_notice: note}

    @refuses_inline(key_notice)
    def on_come_back(key: str, request: gr.Request) -> Updates:
        owner = who.come_back(request, key)
        people = scenarios.people(owner=owner)
        if not people:
            return {user_box: "", key_notice: notice_html("Welcome back. This key has no course yet: make one above.")}
        return {user_box: people[0], course.panel: gr.update(visible=True), caricature: gr.update(visible=False),
                caricature_id: None, caricature_rating: gr.update(visible=False),
                key_notice: notice_html("Welcome back: your course is below.")}  # fmt: skip

    @refuses_inline(course.notice)
    def reopen(user_id: str, request: gr.Request) -> Iterator[Updates]:
        """After coming back: the course opens at its first step."""
        if not user_id:
            yield {output: gr.skip() for output in course.outputs}  # no update (see `follow`)
            return
        yield from course.stream(user_id, 0, who.owner(request))

    @refuses_inline(deleted)
    def on_delete(request: gr.Request) -> Updates:
        report = who.delete_everything(request)
        cleared = {name: "", age: 30, gender: "other", photo: None, voice: None, consent: False, making: "",
                   watching: "", caricature: gr.update(value=None, visible=False), caption: gr.update(visible=False),
                   form_box: gr.update(open=True), user_box: "", key_box: "", key_notice: "",
                   table: gr.update(value=[], visible=False), refresh: gr.update(visible=False),
                   confirm_box: gr.update(visible=False), delete_button: gr.update(visible=True),
                   caricature_id: None, caricature_rating: gr.update(visible=False)}  # fmt: skip
        return {**cleared, **course.cleared(), deleted: notice_html(removed_words(report))}

    submit.click(on_onboard, [name, age, gender, photo, voice, consent], [*form_outputs, deleted, *course.outputs, *course.answers],
                 api_name="onboard").then(follow, watching, [table, making], api_visibility="private")  # fmt: skip
    refresh.click(on_status, user_box, [table, making], api_name="scenario_status")
    show_key.click(on_show_key, None, [key_box, key_notice], api_name="my_key")
    come_back.click(on_come_back, key_box, [user_box, course.panel, caricature, key_notice, caricature_id, caricature_rating],
                    api_name="come_back").then(
        reopen, user_box, course.outputs, api_visibility="private")  # fmt: skip
    delete_button.click(lambda: (gr.update(visible=True), gr.update(visible=False), ""), None,
                        [confirm_box, delete_button, deleted], api_visibility="private")  # fmt: skip
    confirm_no.click(lambda: (gr.update(visible=False), gr.update(visible=True)), None, [confirm_box, delete_button],
                     api_visibility="private")  # fmt: skip
    delete_outputs = [deleted, name, age, gender, photo, voice, consent, making, watching, caricature, caption, form_box,
                      user_box, key_box, key_notice, table, refresh, confirm_box, delete_button, course.panel,
                      course.notice, course.steps, course.progress, course.title, course.text, course.narration,
                      course.image, course.video, course.call, course.score, *course.answers,
                      caricature_id, caricature_rating, *course.rated.values()]  # fmt: skip
    confirm_yes.click(on_delete, None, delete_outputs, api_name="delete_user")
