"""`studio onboard`: onboard a person from files, optionally waiting for the ten assets.

The lead registers it with `cli_scenarios.register(app)` in studio/cli.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from engine.engine import build_engine
from engine.errors import StudioError
from engine.ownership import OPERATOR
from engine.settings import load_settings

__all__ = ["onboard", "register"]

err = Console(stderr=True, soft_wrap=True)


def onboard(
    name: Annotated[str, typer.Option("--name", help="How the course addresses the person.")],
    age: Annotated[int, typer.Option("--age")],
    gender: Annotated[str, typer.Option("--gender", help="female, male or other")],
    photo: Annotated[Path, typer.Option("--photo", help="A face photo (PNG/JPEG/WebP, <= 10 MB).")],
    voice: Annotated[Path, typer.Option("--voice", help="A voice sample, 3-60 s (WAV, MP3, OGG, WebM, M4A).")],
    wait: Annotated[bool, typer.Option("--wait", help="Run the whole pre-generation, with progress on stderr.")] = False,
) -> None:
    """Onboard a person (consent is given by running this); print the result as JSON on the last line."""
    from engine.scenarios import OnboardRequest

    engine = None
    try:
        for label, path in (("--photo", photo), ("--voice", voice)):
            if not path.is_file():
                raise typer.BadParameter(f"{path} is not a file", param_hint=label)
        engine = build_engine(load_settings())
        service = engine.scenarios
        engine.start()
        request = OnboardRequest(name=name, age=age, gender=gender, photo=photo.read_bytes(), photo_name=photo.name,
                                 voice=voice.read_bytes(), voice_name=voice.name, consent=True)  # fmt: skip
        result = service.onboard(request, owner=OPERATOR)
        err.print(f"onboarded {result.user_id}; caricature at {result.caricature_path}")
        statuses = result.assets
        if wait:
            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:.0f}/10"),
                          TimeElapsedColumn(), console=err) as progress:  # fmt: skip
                task = progress.add_task("pre-generating", total=len(statuses))
                for statuses in service.watch(result.user_id, owner=OPERATOR):
                    running = [s.name for s in statuses if s.status == "running"]
                    progress.update(task, completed=sum(s.status in ("completed", "failed", "blocked", "cancelled")
                                                        for s in statuses),
                                    description=f"pre-generating {', '.join(running)}"[:60])  # fmt: skip
        out = {
            "user_id": result.user_id,
            "caricature": str(result.caricature_path),
            "assets": [{"name": s.name, "kind": s.kind, "status": s.status, "path": str(s.path) if s.path else None,
                        "seconds": s.seconds} for s in statuses],  # fmt: skip
        }
        service.close()
        sys.stdout.write(json.dumps(out) + "\n")
        failed = [s for s in statuses if wait and s.status != "completed"]
        if failed:
            err.print("not completed: " + "; ".join(f"{s.name}: {s.status} {s.error or ''}" for s in failed))
            raise typer.Exit(1)
    except StudioError as exc:
        err.print(f"[red]studio:[/red] {exc.user_message}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        if engine is not None:
            engine.close()


def register(app: typer.Typer) -> None:
    """Add `onboard` to the `studio` command."""
    app.command("onboard")(onboard)
