"""Onboarding tab: the form, the caricature, live status of the ten assets, the course with narration."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.scenarios import AssetStatus, OnboardRequest
from studio.errors import shows_errors
from studio.identity import Identities
from studio.uploads import ImageFile, read_upload

__all__ = ["build"]

CONSENT = ("I agree that Studio may use my photo and voice to make labelled simulations for this course, "
           "and I can delete them at any time.")  # fmt: skip


def _rows(statuses: list[AssetStatus]) -> list[list[Any]]:
    return [[s.title, s.kind, s.status, f"{s.progress:.0%}", s.message or s.error or "",
             f"{s.seconds:.1f}" if s.seconds else ""] for s in statuses]  # fmt: skip


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    scenarios = engine.scenarios  # type: ignore[attr-defined]
    steps = [step for module in scenarios.course() for step in module.steps]
    step_choices = [(f"{step.title}", step.id) for step in steps]

    with gr.Row():
        with gr.Column(scale=3):
            name = gr.Textbox(label="Name")
            with gr.Row():
                age = gr.Number(label="Age", value=30, precision=0)
                gender = gr.Radio(["female", "male", "other"], value="other", label="Gender")
            photo = ImageFile(type="filepath", label="Face photo (you alone, facing the camera)", sources=["upload", "webcam"])
            voice = gr.Audio(label="Voice sample, 3-60 s", sources=["upload", "microphone"], type="filepath")
            consent = gr.Checkbox(label=CONSENT, value=False)
            submit = gr.Button("Make my course", variant="primary")
        with gr.Column(scale=3):
            caricature = gr.Image(label="Your caricature (a labelled simulation)", interactive=False)
            user_box = gr.Textbox(label="Your course id")
            with gr.Accordion("Come back with your key", open=False):
                gr.Markdown("Your key is a secret like a password: whoever holds it sees your course. "
                            "Keep it to come back from another session; never share it.")  # fmt: skip
                key_box = gr.Textbox(label="Your key", type="password")
                with gr.Row():
                    show_key = gr.Button("Show my key")
                    come_back = gr.Button("Come back with this key")
            table = gr.Dataframe(headers=["asset", "kind", "status", "progress", "detail", "seconds"], interactive=False)
            refresh = gr.Button("Refresh status")
    with gr.Row():
        with gr.Column():
            scenario = gr.Dropdown([(title, k) for k, title in scenarios.scenario_titles().items()], label="Scenario")
            open_button = gr.Button("Open scenario")
            scene_image = gr.Image(label="Scenario image", interactive=False)
            scene_video = gr.Video(label="Talking photo", interactive=False)
        with gr.Column():
            step = gr.Dropdown(step_choices, value=steps[0].id if steps else None, label="Course step")
            play = gr.Button("Play narration")
            step_text = gr.Markdown()
            narration_audio = gr.Audio(label="Narration", type="filepath", interactive=False, autoplay=True)
            stats = gr.JSON(label="Narration cache")
            with gr.Row():
                stats_button = gr.Button("Cache stats")
                cleanup_button = gr.Button("Clean up expired")
            confirm_delete = gr.Checkbox(label="Yes, delete everything I made here (course, stories, lab, files)")
            delete_button = gr.Button("Delete my data", variant="stop")
            deleted = gr.JSON(label="Deletion")

    @shows_errors
    def on_onboard(name_v: str, age_v: float, gender_v: str, photo_v: str, voice_v: str, consent_v: bool,
                   request: gr.Request):  # fmt: skip
        owner = who.owner(request)
        who.received(owner, [photo_v, voice_v])
        photo_bytes, photo_name = read_upload(photo_v, "photo")
        voice_bytes, voice_name = read_upload(voice_v, "voice")
        result = scenarios.onboard(OnboardRequest(
            name=name_v or "", age=int(age_v or 0), gender=gender_v or "other", photo=photo_bytes, photo_name=photo_name,
            voice=voice_bytes, voice_name=voice_name, consent=bool(consent_v)), owner=owner)  # fmt: skip
        return str(result.caricature_path), result.user_id, _rows(result.assets)

    @shows_errors
    def on_status(user_id: str, request: gr.Request) -> Iterator[list[list[Any]]]:
        if not user_id:
            raise InvalidRequest("user", "onboard first")
        owner = who.owner(request)
        for statuses in scenarios.watch(user_id, timeout=600, owner=owner):  # streamed on each job event
            yield _rows(statuses)

    @shows_errors
    def on_open(user_id: str, scenario_id: str, request: gr.Request):
        if not user_id or not scenario_id:
            raise InvalidRequest("scenario", "onboard and pick a scenario first")
        view = scenarios.open_scenario(user_id, scenario_id, owner=who.owner(request))
        return str(view.image_path), str(view.video_path)

    @shows_errors
    def on_narration(user_id: str, step_id: str, request: gr.Request):
        if not user_id:
            raise InvalidRequest("user", "onboard first")
        n = scenarios.narration(user_id, step_id, owner=who.owner(request))
        label = "from the cache" if n.hit else "made just now"
        return str(n.path), f"{n.text}\n\n*{label} in {n.seconds * 1000:.0f} ms*"

    @shows_errors
    def on_stats(user_id: str, request: gr.Request) -> dict[str, Any]:
        if not user_id:
            raise InvalidRequest("user", "onboard first")
        return scenarios.cache_stats(user_id, owner=who.owner(request)).model_dump(mode="json")

    @shows_errors
    def on_cleanup() -> dict[str, Any]:
        return {"removed": scenarios.cleanup_cache()}

    @shows_errors
    def on_delete(confirmed: bool, request: gr.Request):
        if not confirmed:
            raise InvalidRequest("confirm", "tick 'Yes, delete everything' first: deletion cannot be undone")
        report = who.delete_everything(request)
        # every output that showed the person's data is cleared
        return (report.model_dump(mode="json"), "", None, [], None, None, None, "", None, "", False)

    @shows_errors
    def on_show_key(request: gr.Request) -> str:
        key = who.visitor_key(request)
        if not key:
            gr.Info("You are logged in: your account keeps your records.")
        return key

    @shows_errors
    def on_come_back(key: str, request: gr.Request) -> str:
        owner = who.come_back(request, key)
        people = scenarios.people(owner=owner)
        return people[0] if people else ""

    submit.click(on_onboard, [name, age, gender, photo, voice, consent], [caricature, user_box, table],
                 api_name="onboard").then(on_status, user_box, table)  # fmt: skip
    refresh.click(on_status, user_box, table, api_name="scenario_status")
    open_button.click(on_open, [user_box, scenario], [scene_image, scene_video], api_name="open_scenario")
    play.click(on_narration, [user_box, step], [narration_audio, step_text], api_name="narration")
    stats_button.click(on_stats, user_box, stats, api_name="cache_stats")
    cleanup_button.click(on_cleanup, None, stats, api_name="cleanup_cache")
    delete_button.click(on_delete, confirm_delete, [deleted, user_box, caricature, table, scene_image, scene_video,
                        narration_audio, step_text, stats, key_box, confirm_delete], api_name="delete_user")
    show_key.click(on_show_key, None, key_box, api_name="my_key")
    come_back.click(on_come_back, key_box, user_box, api_name="come_back")
