"""`studio story`: play an adventure in the terminal, or let it play itself with `--auto`.

With `--auto` it prints one JSON line per chapter on stdout (index, type, tokens, ttft_ms,
total_ms, choices, images, ...) and then one JSON line holding the summary; everything
meant for a person goes to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from engine.engine import build_engine
from engine.errors import StudioError
from engine.ownership import OPERATOR
from engine.settings import load_settings

__all__ = ["register", "story"]

err = Console(stderr=True, soft_wrap=True)


def _line(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def story(
    world: Annotated[str | None, typer.Option(help="World id (default: the first bundled world).")] = None,
    topic: Annotated[str | None, typer.Option(help="Lesson topic id (default: the first bundled topic).")] = None,
    chapters: Annotated[int, typer.Option(help="How many chapters, 3 to 12.")] = 8,
    auto: Annotated[bool, typer.Option("--auto", help="Play on its own: first option each time; JSON lines out.")] = False,
    image_wait: Annotated[float, typer.Option(help="Seconds to wait for each chapter's pictures.")] = 5.0,
    max_tokens: Annotated[int | None, typer.Option(min=8, max=2048, help="Token budget of one chapter (default: the service's).")] = None,
) -> None:
    """Play a story adventure with lessons on scam awareness."""
    from engine.story import StoryConfig, auto_choice

    engine = None
    try:
        engine = build_engine(load_settings())
        service = engine.story
        if max_tokens is not None:
            service = service.with_config(StoryConfig(chapter_tokens=max_tokens, choice_tokens=max_tokens))
        engine.start()
        adventure = service.start(
            world or next(iter(service.content.worlds)), topic or next(iter(service.content.topics)),
            chapters=chapters, user_id="cli", owner=OPERATOR,
        )
        err.print(f"adventure {adventure.id}", highlight=False)
        while True:
            chapter = None
            for event in service.stream_chapter(adventure.id, owner=OPERATOR):
                if not auto and event.kind == "delta":
                    err.print(event.delta, end="", highlight=False, markup=False)
                chapter = event.chapter
            assert chapter is not None
            images = service.wait_images(adventure.id, chapter.index, timeout=image_wait, owner=OPERATOR) if image_wait > 0 else []
            choice = None if chapter.is_last else (auto_choice(chapter) if auto else _ask(chapter))
            _line(
                {
                    "adventure_id": adventure.id,
                    "index": chapter.index,
                    "type": chapter.type.value,
                    "tokens": chapter.tokens,
                    "ttft_ms": None if chapter.ttft_ms is None else round(chapter.ttft_ms, 1),
                    "total_ms": round(chapter.total_ms, 1),
                    "choices": chapter.choices,
                    "choices_source": chapter.choices_source,
                    "choice_made": choice,
                    "feedback": chapter.feedback,
                    "images": [
                        {"kind": i.kind, "status": i.status, "placeholder": i.is_placeholder, "ms": i.elapsed_ms}
                        for i in images
                    ],
                    "text": chapter.text,
                }
            )
            if chapter.is_last:
                break
            service.choose(adventure.id, chapter.index, choice or 0, owner=OPERATOR)
        _line({"summary": service.summary(adventure.id, owner=OPERATOR).model_dump(mode="json")})
    except StudioError as exc:
        err.print(f"[red]studio:[/red] {exc.user_message}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        if engine is not None:
            engine.close()


def _ask(chapter: Any) -> int:
    err.print("\n")
    for number, text in enumerate(chapter.choices, start=1):
        err.print(f"  {number}. {text}", highlight=False, markup=False)
    picked = typer.prompt("Your choice", type=int, default=1, err=True)
    return max(1, min(len(chapter.choices), picked)) - 1


def register(app: typer.Typer) -> None:
    """Add the `story` command to the `studio` CLI."""
    app.command("story")(story)
