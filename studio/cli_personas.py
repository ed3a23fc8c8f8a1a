"""`studio persona`: create personas, seed and approve their base image, write posts, make batches.

Each command prints one JSON object as its last stdout line (`batch` prints one JSON line per
image, with the `image_id` that `use-batch-image` takes); invalid input exits with status 2 and
one line on stderr. The CLI acts as the operator.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from typer.core import TyperGroup

from engine.engine import Engine, build_engine
from engine.errors import StudioError
from engine.ownership import OPERATOR
from engine.settings import load_settings

if TYPE_CHECKING:
    from engine.personas import Persona

__all__ = ["persona_app", "register"]

err = Console(stderr=True, soft_wrap=True)


# Typer vendors its own click; its UsageError (missing or bad option) has no public name.
_UsageError: type[Exception] = typer.BadParameter.__base__  # type: ignore[assignment]


class _OneLineErrors(TyperGroup):
    """Usage errors of the persona commands as one line on stderr and exit 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except _UsageError as exc:
            command = f"persona {ctx.invoked_subcommand}" if ctx.invoked_subcommand else "persona"
            _fail(f"{command}: {exc.format_message()}")  # type: ignore[attr-defined]


persona_app = typer.Typer(help="Persona templates: profiles, base images, posts and batches.", no_args_is_help=True,
                          cls=_OneLineErrors, pretty_exceptions_enable=False)


def _fail(message: str) -> None:
    err.print(f"[red]studio:[/red] {' '.join(message.split())}", highlight=False, markup=True)
    raise typer.Exit(2)


def _line(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@contextmanager
def _engine(start: bool = False) -> Iterator[Engine]:
    """The engine for one command; a studio error or invalid profile is one stderr line and exit 2."""
    engine: Engine | None = None
    try:
        engine = build_engine(load_settings())
        if start:
            engine.start()
        yield engine
    except StudioError as exc:
        _fail(exc.user_message)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "input"
        _fail(f"--{field.replace('_', '-')}: {first['msg']}")
    finally:
        if engine is not None:
            engine.close()


@persona_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="The persona's name.")],
    traits: Annotated[str, typer.Option(help="Personality traits, comma-separated.")],
    aesthetic: Annotated[str, typer.Option(help="Visual aesthetic.")],
    voice: Annotated[str, typer.Option(help="Voice style.")],
    tone: Annotated[str, typer.Option(help="Tone preference.")] = "",
    themes: Annotated[str, typer.Option(help="Themes, comma-separated.")] = "",
    rating: Annotated[str, typer.Option(help="Content rating: sfw, moderate or mature.")] = "sfw",
    appearance: Annotated[str, typer.Option(help="Appearance description (used to generate the base image).")] = "",
    tags: Annotated[str, typer.Option(help="Tags, comma-separated.")] = "",
) -> None:
    """Create a persona; prints {"id", "name", "style", "base_image_status"}."""
    from engine.personas import PersonaProfile

    if rating not in ("sfw", "moderate", "mature"):
        _fail(f"--rating: {rating!r} is not a rating; use sfw, moderate or mature")
    with _engine() as engine:
        profile = PersonaProfile(
            name=name, personality_traits=_list(traits), aesthetic=aesthetic, voice_style=voice,
            tone_preference=tone, themes=_list(themes), content_rating=rating,  # type: ignore[arg-type]
            appearance_description=appearance, tags=_list(tags),
        )
        persona = engine.personas.create(profile, owner=OPERATOR)
        _line({"id": persona.id, "name": persona.name, "style": persona.style,
               "base_image_status": persona.base_image_status.value})


@persona_app.command("list")
def list_personas() -> None:
    """List personas; prints one JSON object with a list."""
    with _engine() as engine:
        _line({"personas": [
            {"id": p.id, "name": p.name, "style": p.style, "base_image_status": p.base_image_status.value,
             "appearance_locked": p.appearance_locked}
            for p in engine.personas.personas(owner=OPERATOR)
        ]})


@persona_app.command("image")
def image(
    persona_id: Annotated[str, typer.Argument(metavar="ID")],
    upload: Annotated[Path | None, typer.Option(help="An image file to upload as the base image.")] = None,
    generate: Annotated[bool, typer.Option("--generate", help="Generate it from the appearance description.")] = False,
) -> None:
    """Seed the base image; prints {"id", "base_image_status", "path"}."""
    if (upload is None) == (not generate):
        _fail("persona image: give exactly one of --upload PATH or --generate")
    data = b""
    if upload is not None:
        try:
            data = upload.read_bytes()
        except OSError as exc:
            _fail(f"--upload: cannot read {upload} ({exc.strerror or exc})")
    with _engine(start=generate) as engine:
        if upload is not None:
            persona = engine.personas.upload_base_image(persona_id, data, owner=OPERATOR, reason=f"uploaded {upload.name}")
        else:
            persona = engine.personas.generate_base_image(persona_id, owner=OPERATOR)
        _base_image_line(persona)


def _base_image_line(persona: Persona) -> None:
    _line({"id": persona.id, "base_image_status": persona.base_image_status.value, "path": persona.base_image_path})


@persona_app.command("use-batch-image")
def use_batch_image(
    persona_id: Annotated[str, typer.Argument(metavar="ID")],
    image_id: Annotated[str, typer.Argument(metavar="IMAGE_ID", help="An image_id from `studio persona batch`.")],
    reason: Annotated[str, typer.Option(help="Why; stored with the transition.")] = "",
) -> None:
    """Propose a batch image as the base image (draft, for approval); prints {"id", "base_image_status", "path"}."""
    with _engine() as engine:
        persona = engine.personas.use_batch_image(persona_id, image_id, owner=OPERATOR, reason=reason)
        _base_image_line(persona)


@persona_app.command("transition")
def transition(
    persona_id: Annotated[str, typer.Argument(metavar="ID")],
    state: Annotated[str, typer.Argument(metavar="STATE", help="approved, rejected, or draft (unlock).")],
    reason: Annotated[str, typer.Option(help="Why; stored with the transition.")] = "",
) -> None:
    """Move the base image to STATE; prints {"id", "base_image_status", "appearance_locked"}."""
    with _engine() as engine:
        persona = engine.personas.transition(persona_id, state, owner=OPERATOR, reason=reason)
        _line({"id": persona.id, "base_image_status": persona.base_image_status.value,
               "appearance_locked": persona.appearance_locked})


@persona_app.command("text")
def text(
    persona_id: Annotated[str, typer.Argument(metavar="ID")],
    prompt: Annotated[str, typer.Option(help="What the post is about.")],
    seed: Annotated[int | None, typer.Option(help="Repeat the same template post.")] = None,
    source: Annotated[str, typer.Option(help="template, model or auto (the model, else the templates).")] = "auto",
) -> None:
    """Write a post in the persona's voice; prints {"id", "style", "voice_modifiers", "source", "text"}."""
    if source not in ("template", "model", "auto"):
        _fail(f"--source: {source!r} is not a source; use template, model or auto")
    with _engine() as engine:
        post = engine.personas.write(persona_id, prompt, owner=OPERATOR, seed=seed, source=source)  # type: ignore[arg-type]
        if post.note:
            err.print(post.note, highlight=False, markup=False)
        _line({"id": post.persona_id, "style": post.style, "voice_modifiers": post.voice_modifiers,
               "source": post.source, "text": post.text})


@persona_app.command("batch")
def batch(
    persona_id: Annotated[str, typer.Argument(metavar="ID")],
    count: Annotated[int, typer.Option(help="How many images, 1 to 32.")],
    prompt: Annotated[str | None, typer.Option(help="One prompt for every image (default: from the themes).")] = None,
) -> None:
    """Make COUNT images over every device; prints one JSON line per image."""
    from engine.personas import MAX_BATCH

    if not 1 <= count <= MAX_BATCH:
        _fail(f"--count: give 1 to {MAX_BATCH} images, got {count}")
    with _engine(start=True) as engine:
        prompts = [prompt] * count if prompt else engine.personas.default_prompts(persona_id, count, owner=OPERATOR)
        for item in engine.personas.batch(persona_id, prompts, owner=OPERATOR):
            _line({"index": item.index, "image_id": item.id, "device": item.device, "status": item.status,
                   "provider": item.provider, "path": item.path, "note": item.note, "comparison": item.comparison,
                   "flagged": item.flagged})


@persona_app.command("export")
def export(
    persona_id: Annotated[str, typer.Argument(metavar="ID")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the card here (default: stdout).")] = None,
) -> None:
    """Export the persona as a Character Card V2 JSON."""
    with _engine() as engine:
        card = engine.personas.export_card(persona_id, owner=OPERATOR)
    if output is None:
        _line(card)
        return
    output.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    _line({"id": persona_id, "path": str(output)})


@persona_app.command("import")
def import_card(path: Annotated[Path, typer.Argument(metavar="FILE")]) -> None:
    """Import a Character Card V2 JSON file; prints {"id", "name", "style", "base_image_status"}."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        _fail(f"FILE: cannot read {path} ({exc.strerror or exc})")
    with _engine() as engine:
        persona = engine.personas.import_card(raw, owner=OPERATOR)
        _line({"id": persona.id, "name": persona.name, "style": persona.style,
               "base_image_status": persona.base_image_status.value})


def register(app: typer.Typer) -> None:
    """Add the `persona` command group to the `studio` CLI."""
    app.add_typer(persona_app, name="persona")
