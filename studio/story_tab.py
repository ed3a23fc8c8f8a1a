"""Story tab: pick a world and a topic, read chapters as they are written, choose, resume, summarise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.story import PLACEHOLDER_LABEL, ChapterEvent, ChapterImage, StoryService
from studio.errors import shows_errors
from studio.identity import Identities

__all__ = ["build"]

Outputs = tuple[Any, ...]


def _caption(image: ChapterImage, choices: list[str]) -> str:
    head = "Scene" if image.kind == "scene" else f"Choice {(image.choice_index or 0) + 1}"
    if image.kind == "choice" and image.choice_index is not None and image.choice_index < len(choices):
        head += f": {choices[image.choice_index]}"
    if image.is_placeholder:
        return f"{head} — {PLACEHOLDER_LABEL}"
    return head


def _gallery(images: list[ChapterImage], choices: list[str]) -> tuple[list[tuple[str, str]], str, bool]:
    """Gallery items, a status line, and whether any picture is still on its way."""
    ready = [(i.path, _caption(i, choices)) for i in images if i.status == "ready" and i.path]
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
        world = gr.Dropdown(worlds, value=worlds[0][1], label="Story world")
        topic = gr.Dropdown(topics, value=topics[0][1], label="Lesson topic")
        chapters = gr.Slider(3, 12, value=8, step=1, label="Chapters")
        start = gr.Button("Start adventure", variant="primary")
    with gr.Row():
        with gr.Column(scale=3):
            header = gr.Markdown("Pick a world and a topic, then start.")
            chapter_text = gr.Markdown(label="Chapter", min_height=160)
            choice = gr.Radio([], type="index", label="What happens next?")
            choose = gr.Button("Choose", variant="primary")
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Pictures", columns=3, height=320, object_fit="contain")
            gallery_note = gr.Markdown()
    with gr.Row():
        resume_id = gr.Textbox(label="Adventure id", placeholder="paste an id to come back to an adventure", scale=4)
        resume = gr.Button("Resume", scale=1)
        summary_button = gr.Button("Summary", scale=1)
    summary = gr.Markdown()
    timer = gr.Timer(1.0, active=False)

    def view(event: ChapterEvent, owner: Owner) -> Outputs:
        chapter = event.chapter
        if chapter is None:  # still streaming
            return (event.adventure_id, event.chapter_index, f"**Chapter {event.chapter_index + 1}** — writing…",
                    event.text, gr.update(), gr.update(), gr.update(), gr.update(), gr.update(active=False))
        adventure = story.get(event.adventure_id, owner=owner)
        plan = len(adventure.plan)
        head = f"**Chapter {chapter.index + 1} of {plan}** · {chapter.type.value}"
        if chapter.feedback:
            head += f"\n\n> {chapter.feedback}"
        if chapter.choices_source == "fallback":
            head += "\n\n_The model offered no usable choices; these were drawn from the chapter._"
        if chapter.is_last:
            head += "\n\n**The end.** Press *Summary* for your recap."
        items, note, pending = _gallery(story.image_status(event.adventure_id, chapter.index, owner=owner),
                                        chapter.choices)  # fmt: skip
        label = "Your answer" if chapter.question else "What happens next?"
        radio = gr.update(choices=chapter.choices, value=None, label=label, interactive=not chapter.is_last)
        return (event.adventure_id, chapter.index, head, chapter.text, radio, items, note,
                event.adventure_id, gr.update(active=pending))

    outputs = [adventure_state, chapter_state, header, chapter_text, choice, gallery, gallery_note, resume_id, timer]

    def play(adventure_id: str, owner: Owner) -> Iterator[Outputs]:
        for event in story.stream_chapter(adventure_id, owner=owner):
            yield view(event, owner)

    @shows_errors
    def on_start(world_id: str, topic_id: str, count: float, request: gr.Request) -> Iterator[Outputs]:
        owner = who.owner(request)
        adventure = story.start(world_id, topic_id, int(count), owner=owner)
        yield from play(adventure.id, owner)

    @shows_errors
    def on_choose(adventure_id: str, chapter_index: int, picked: int | None, request: gr.Request) -> Iterator[Outputs]:
        if not adventure_id:
            raise InvalidRequest("adventure", "start or resume an adventure first")
        if picked is None:
            raise InvalidRequest("choice", "pick one of the options first")
        owner = who.owner(request)
        story.choose(adventure_id, int(chapter_index), int(picked), owner=owner)
        yield from play(adventure_id, owner)

    @shows_errors
    def on_resume(pasted: str, request: gr.Request) -> Iterator[Outputs]:
        owner = who.owner(request)
        adventure = story.resume((pasted or "").strip(), owner=owner)
        yield from play(adventure.id, owner)

    @shows_errors
    def on_summary(adventure_id: str, request: gr.Request) -> str:
        return story.summary(adventure_id, owner=who.owner(request)).as_markdown()

    @shows_errors
    def on_tick(adventure_id: str, chapter_index: int, request: gr.Request) -> Outputs:
        if not adventure_id or chapter_index < 0:
            return gr.update(), gr.update(), gr.update(active=False)
        owner = who.owner(request)
        chapter = story.get(adventure_id, owner=owner).chapters[chapter_index]
        items, note, pending = _gallery(story.image_status(adventure_id, chapter_index, owner=owner), chapter.choices)
        return items, note, gr.update(active=pending)

    start.click(on_start, [world, topic, chapters], outputs, api_name="story_start", concurrency_id="model")
    choose.click(on_choose, [adventure_state, chapter_state, choice], outputs, api_name="story_choose",
                 concurrency_id="model")
    resume.click(on_resume, [resume_id], outputs, api_name="story_resume", concurrency_id="model")
    summary_button.click(on_summary, [adventure_state], summary, api_name="story_summary")
    timer.tick(on_tick, [adventure_state, chapter_state], [gallery, gallery_note, timer], api_visibility="private")
