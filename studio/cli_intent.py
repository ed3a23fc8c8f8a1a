"""`studio classify` (one prompt → one JSON object, or a JSONL file → one JSON line per input) and
`studio process` (classify → select → enhance → run; one JSON object)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from engine.errors import StudioError
from engine.intent import ClassifyRequest, Method, Quality
from engine.ownership import OPERATOR, Owner

__all__ = ["register"]


def _line(prompt: str, classification_json: dict[str, object]) -> str:
    return json.dumps({"prompt": prompt, **classification_json}, ensure_ascii=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def classify(
        prompt: Annotated[str | None, typer.Argument(help="The creative request.")] = None,
        method: Annotated[Method, typer.Option(help="rules, embedding or llm.")] = Method.EMBEDDING,
        image: Annotated[bool, typer.Option("--image", help="The user has a working image.")] = False,
        input_file: Annotated[Path | None, typer.Option("--input", help='JSONL lines {"prompt", "has_image"}.')] = None,
    ) -> None:
        """Classify a request into a workflow; prints JSON."""
        from studio.cli import err, opened_engine

        if (prompt is None) == (input_file is None):
            err.print("studio: give a PROMPT or --input FILE.jsonl (one of them)")
            raise typer.Exit(2)
        with opened_engine() as engine:
            if prompt is not None:
                result = engine.intent.classify(prompt, image, method, owner=OPERATOR)
                print(_line(ClassifyRequest(prompt=prompt).prompt, result.model_dump(mode="json")))
                return
            assert input_file is not None
            for number, raw in enumerate(input_file.read_text(encoding="utf-8").splitlines(), start=1):
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw)
                    result = engine.intent.classify(str(item["prompt"]), bool(item.get("has_image", False)), method,
                                                    owner=OPERATOR)  # fmt: skip
                    print(_line(str(item["prompt"]), result.model_dump(mode="json")), flush=True)
                except (ValueError, KeyError, TypeError) as exc:
                    print(json.dumps({"prompt": None, "line": number, "error": f"bad JSONL line: {exc}"}), flush=True)
                except StudioError as exc:
                    print(json.dumps({"prompt": item.get("prompt"), "line": number, "error": exc.user_message}), flush=True)
            sys.stdout.flush()

    @app.command()
    def process(
        prompt: Annotated[str, typer.Argument(help="The creative request.")],
        image: Annotated[Path | None, typer.Option("--image", help="The working image (PNG, JPEG or WebP).")] = None,
        quality: Annotated[Quality, typer.Option(help="speed, balanced or quality.")] = Quality.BALANCED,
        user: Annotated[str, typer.Option(help="Whose @references apply (the local operator's by default).")] = OPERATOR.id,
    ) -> None:
        """Classify, select a model, enhance and run a request where a provider on hand can; prints JSON
        with the status, the output file (if made) and the plan with its cost and time."""
        from studio.cli import err, opened_engine

        if image is not None and not image.is_file():
            err.print(f"studio: --image {image} is not a file")
            raise typer.Exit(2)
        with opened_engine() as engine:
            owner = OPERATOR if user == OPERATOR.id else Owner(id=user, admin=True, operator=True)
            result = engine.intent.process(prompt, image.read_bytes() if image else None, quality, owner=owner)
            print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
