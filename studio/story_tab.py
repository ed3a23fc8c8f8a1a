"""Story tab: pick a world and a topic, read chapters as they are written, choose, resume, summarise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.story import PLACEHOLDER_LABEL, Chapter, ChapterEvent, ChapterImage, StoryService
from studio import actions, feedback
from studio.errors import shows_errors
from studio.identity import Identities

__all__ = ["build"]

Outputs = tuple[Any, ...]
Updates = dict[Any, Any]


def _caption(image: ChapterImage, choices: list[str]) -> str:
    head = "Scene" if image.kind == "scene" else f"Choice {(image.choice_index or 0) + 1}"
    if image.kind == "choice" and image.choice_index is not None and image.choice_index < len(choices):
        head += f": {choices[image.choice_index]}"
    if image.is_placeholder:
        return f"{head} — {PLACEHOLDER_LABEL}"
    return head


def _shown(images: list[ChapterImage]) -> list[ChapterImage]:
    """The pictures the gallery shows, in its order."""
    return [i for i in images if i.status == "ready" and i.path]


def _picture_ids(images: list[ChapterImage]) -> list[str | None]:
    """The generation id of each gallery item, in the gallery's order (what a selection rates)."""
    return [i.generation_id for i in _shown(images)]


def _gallery(images: list[ChapterImage], choices: list[str]) -> tuple[list[tuple[str, str]], str, bool]:
    """Gallery items, a status line, and whether any picture is still on its way."""
    ready = [(i.path, _caption(i, choices)) for i in _shown(images)]
    pending = sum(i.status == "pending" for i in images)
    missing = sum(i.status in ("failed", "timeout") for i in images)
    parts = [f"{len(ready)} picture(s) ready"]
    if pending:
        parts.append(f"{pending} on the way")
    if missing:
        parts.append(f"{missing} unavailable (the story goes on without them)")
    if any(i.is_placeholder for i in images):
        parts.append(f"_{PLACEHOLDER_LABEL}_")
    return ready, " · ".join(parts) if images else "", pending > 0


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    """Render the Story tab's contents inside the current `gr.Tab`."""
    story: StoryService = engine.story  # type: ignore[attr-defined]
    worlds = [(w.name, w.id) for w in story.worlds()]
    topics = [(t.name, t.id) for t in story.topics()]

    adventure_state = gr.State("")
    chapter_state = gr.State(-1)
    with gr.Row():
        world = gr.Dropdown(worlds, value=worlds[0][1], label="Story world", min_width=220)
        topic = gr.Dropdown(topics, value=topics[0][1], label="Lesson topic", min_width=220)
        chapters = gr.Slider(3, 12, value=8, step=1, label="Chapters", min_width=160)
        with gr.Column(min_width=160):
            start = gr.Button("Start adventure", variant="primary")
            start_status = actions.status_line()
    with gr.Row():
        with gr.Column(scale=3):
            header = gr.Markdown("Pick a world and a topic, then start.")
            chapter_text = gr.Markdown(label="Chapter", min_height=160)
            choice = gr.Radio([], type="index", label="What happens next?", visible=False)
            choose = gr.Button("Choose", variant="primary", visible=False)
            choose_status = actions.status_line()
            chapter_id = gr.State(None)
            feedback.attach(engine, chapter_id, who, api_name="feedback_story", label="Rate this chapter",
                            missing="start an adventure first, then rate its chapter")
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Pictures", columns=3, height="auto", object_fit="contain",
                                 elem_classes=["studio-gallery"], elem_id="story-gallery")  # as tall as its pictures
            gallery_note = gr.Markdown()
            picture_ids = gr.State([])  # the generation id of each gallery item, in order
            picture_id = gr.State(None)  # the selected picture's
            feedback.attach(engine, picture_id, who, api_name="feedback_story_picture", label="Rate the selected picture",
                            missing="click a picture first, then rate it")
    with gr.Row():
        resume_id = gr.Textbox(label="Adventure id", placeholder="paste an id to come back to an adventure", scale=4,
                               min_width=240)
        with gr.Column(scale=2, min_width=220):  # on a phone: under the id, the two buttons side by side
            with gr.Row():
                resume = gr.Button("Resume", min_width=100)
                summary_button = gr.Button("Summary", min_width=100)
    resume_status = actions.status_line()
    summary = gr.Markdown()
    timer = gr.Timer(1.0, active=False)

    def writing(event: ChapterEvent, plan: int, first: bool) -> Updates:
        """While a chapter streams: its text so far; the last chapter's choices and pictures are gone."""
        updates: Updates = {
            adventure_state: event.adventure_id, chapter_state: event.chapter_index,
            header: f"**Chapter {event.chapter_index + 1} of {plan}** — writing…", chapter_text: event.text,
        }
        if first:
            updates.update({choice: gr.update(choices=[], value=None, visible=False), choose: gr.update(visible=False),
                            gallery: [], gallery_note: "", summary: "", timer: gr.update(active=False),
                            chapter_id: None, picture_ids: [], picture_id: None})
        return updates

    def written(adventure_id: str, chapter: Chapter, owner: Owner) -> Updates:
        adventure = story.get(adventure_id, owner=owner)
        head = f"**Chapter {chapter.index + 1} of {len(adventure.plan)}** · {chapter.type.value}"
        if chapter.feedback:
            head += f"\n\n> {chapter.feedback}"
        if chapter.choices_source == "fallback":
            head += "\n\n_The model offered no usable choices; these were drawn from the chapter._"
        if chapter.is_last:
            head += "\n\n**The end.** Press *Summary* for your recap."
        images = story.image_status(adventure_id, chapter.index, owner=owner)
        items, note, pending = _gallery(images, chapter.choices)
        label = "Your answer" if chapter.question else "What happens next?"
        open_choice = not chapter.is_last and bool(chapter.choices)
        return {
            adventure_state: adventure_id, chapter_state: chapter.index, header: head,
            chapter_text: chapter.text,
            choice: gr.update(choices=chapter.choices if open_choice else [], value=None, label=label,
                              visible=open_choice, interactive=open_choice),
            choose: gr.update(visible=open_choice, interactive=open_choice),
            gallery: items, gallery_note: note, resume_id: adventure_id, summary: "",
            timer: gr.update(active=pending), chapter_id: chapter.generation_id, picture_ids: _picture_ids(images),
            picture_id: None,
        }

    # for API callers the adventure id stays second to last, as it always was (States are not API outputs)
    shown = [adventure_state, chapter_state, chapter_id, picture_ids, picture_id, header, chapter_text, choice, choose,
             gallery, gallery_note, summary, resume_id, timer]

    def play(adventure_id: str, owner: Owner, status: gr.Markdown) -> Iterator[Updates]:
        plan = len(story.get(adventure_id, owner=owner).plan)
        first = True
        for event in story.stream_chapter(adventure_id, owner=owner):
            if event.chapter is None:
                yield {**writing(event, plan, first), status: f"Writing chapter {event.chapter_index + 1} of {plan}…"}
                first = False
            else:
                yield {**written(adventure_id, event.chapter, owner), status: ""}

    @shows_errors
    def on_start(world_id: str, topic_id: str, count: float, request: gr.Request) -> Iterator[Updates]:
        owner = who.owner(request)
        yield {start_status: "Planning the adventure…"}
        adventure = story.start(world_id, topic_id, int(count), owner=owner)
        yield from play(adventure.id, owner, start_status)

    @shows_errors
    def on_choose(adventure_id: str, chapter_index: int, picked: int | None, request: gr.Request) -> Iterator[Updates]:
        if not adventure_id:
            raise InvalidRequest("adventure", "start or resume an adventure first")
        if picked is None:
            raise InvalidRequest("choice", "pick one of the options first")
        owner = who.owner(request)
        yield {choose_status: "Saving your choice…"}
        story.choose(adventure_id, int(chapter_index), int(picked), owner=owner)
        yield from play(adventure_id, owner, choose_status)

    @shows_errors
    def on_resume(pasted: str, request: gr.Request) -> Iterator[Updates]:
        owner = who.owner(request)
        adventure = story.resume((pasted or "").strip(), owner=owner)
        yield from play(adventure.id, owner, resume_status)

    @shows_errors
    def on_summary(adventure_id: str, request: gr.Request) -> str:
        if not adventure_id:
            raise InvalidRequest("adventure", "start or resume an adventure first")
        return story.summary(adventure_id, owner=who.owner(request)).as_markdown()

    @shows_errors
    def on_tick(adventure_id: str, chapter_index: int, request: gr.Request) -> Outputs:
        if not adventure_id or chapter_index < 0:
            return gr.update(), gr.update(), gr.update(), gr.update(active=False)
        owner = who.owner(request)
        chapter = story.get(adventure_id, owner=owner).chapters[chapter_index]
        images = story.image_status(adventure_id, chapter_index, owner=owner)
        items, note, pending = _gallery(images, chapter.choices)
        return items, note, _picture_ids(images), gr.update(active=pending)

    def on_picture(ids: list[str | None], event: gr.SelectData) -> str | None:
        index = event.index if isinstance(event.index, int) else -1
        return ids[index] if 0 <= index < len(ids) else None

    actions.wire(start.click, on_start, [world, topic, chapters], [start_status, *shown], status=start_status,
                 api_name="story_start", concurrency_id="model")
    actions.wire(choose.click, on_choose, [adventure_state, chapter_state, choice], [choose_status, *shown],
                 status=choose_status, api_name="story_choose", concurrency_id="model")
    actions.wire(resume.click, on_resume, [resume_id], [resume_status, *shown], status=resume_status,
                 api_name="story_resume", concurrency_id="model")
    actions.wire(summary_button.click, on_summary, [adventure_state], summary, status=resume_status,
                 api_name="story_summary")
    timer.tick(on_tick, [adventure_state, chapter_state], [gallery, gallery_note, picture_ids, timer],
               api_visibility="private", show_progress="hidden")
    gallery.select(on_picture, picture_ids, picture_id, api_visibility="private", show_progress="hidden")
