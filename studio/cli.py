"""The `studio` command: serve the app, list models, generate from the shell.

Every command builds the engine from the same settings as the app; a configuration
problem prints one line naming the setting and exits with status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from engine.engine import Engine, build_engine
from engine.errors import StudioError
from engine.settings import load_settings

__all__ = ["app", "main"]

app = typer.Typer(help="Studio: a generative-media studio on bundled offline models.", no_args_is_help=True)
generate_app = typer.Typer(help="Generate with the configured models.", no_args_is_help=True)
app.add_typer(generate_app, name="generate")
err = Console(stderr=True, soft_wrap=True)


@contextmanager
def opened_engine(**overrides: object) -> Iterator[Engine]:
    """The engine for one command (settings, with `overrides`); studio errors become one line on stderr and exit 2."""
    engine: Engine | None = None
    try:
        engine = build_engine(load_settings(**overrides))
        yield engine
    except StudioError as exc:
        err.print(f"[red]studio:[/red] {exc.user_message}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        if engine is not None:
            engine.close()


@app.command()
def serve() -> None:
    """Launch the studio in the browser (http://127.0.0.1:7860 by default)."""
    from app import main as serve_main

    raise typer.Exit(serve_main())


@app.command()
def models(smoke: Annotated[bool, typer.Option(help="Also run one tiny call per configured model.")] = True) -> None:
    """List every adapter of every capability, whether it can run and why not, the catalogue entries
    without an adapter here; smoke-test the configured ones."""
    with opened_engine() as engine:
        table = Table(title="Adapters")
        for column in ("capability", "provider", "available", "configured", "reason"):
            table.add_column(column)
        for row in engine.system.providers():
            table.add_row(
                row.capability,
                row.provider,
                "yes" if row.available else "no",
                "yes" if row.configured else "",
                row.reason,
            )
        Console().print(table)
        gaps = engine.intent.catalogue_gaps()
        if gaps:
            missing = Table(title="Intent catalogue entries no adapter here can serve")
            for column in ("workflow", "model", "provider", "why"):
                missing.add_column(column)
            for gap in gaps.values():
                missing.add_row(gap.workflow.value, gap.model_id, gap.provider, gap.reason)
            Console().print(missing)
        if smoke:
            results = engine.system.smoke_test()
            smoke_table = Table(title="Smoke test of the configured chain")
            for column in ("capability", "provider", "ok", "seconds", "detail"):
                smoke_table.add_column(column)
            for result in results:
                smoke_table.add_row(
                    result.capability, result.provider, "ok" if result.ok else "FAILED", f"{result.seconds:.2f}", result.detail
                )
            Console().print(smoke_table)
            if not all(r.ok for r in results):
                raise typer.Exit(1)


@generate_app.command("text")
def generate_text(
    prompt: str,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", "-n")] = 256,
    temperature: float = 0.7,
    system: Annotated[str | None, typer.Option(help="A system message.")] = None,
) -> None:
    """Stream the model's answer to PROMPT on stdout, token by token."""
    from engine.providers.base import TextRequest

    with opened_engine() as engine:
        request = TextRequest.from_prompt(prompt, system=system, max_new_tokens=max_new_tokens, temperature=temperature)
        for piece in engine.models.text.stream(request):
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")


@generate_app.command("speech")
def generate_speech(
    text: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="WAV file to write.")],
    voice: str = "en-us",
    pitch: int = 50,
    rate: int = 175,
    variant: str | None = None,
    provider: Annotated[str | None, typer.Option(help="Speech adapter, e.g. openai or replicate (default: STUDIO_SPEECH_PROVIDER).")] = None,
    clone_from: Annotated[Path | None, typer.Option(help="A WAV of a consenting speaker: clone it (STUDIO_VOICE_CLONE_PROVIDER) and speak in it.")] = None,
    model: Annotated[str | None, typer.Option(help="A speech model the adapter knows, e.g. minimax/speech-02-hd on replicate.")] = None,
) -> None:
    """Speak TEXT into a WAV file (in a cloned voice with --clone-from)."""
    from pydantic import ValidationError

    from engine.providers.base import SpeechRequest
    from engine.providers.gateway import CallContext
    from engine.providers.generative import VoiceCloneRequest

    overrides: dict[str, object] = {"speech_provider": provider} if provider else {}
    if provider and clone_from:
        overrides["voice_clone_provider"] = provider
    with opened_engine(**overrides) as engine:
        if clone_from is not None:
            sample = VoiceCloneRequest(wav=clone_from.read_bytes(), name=clone_from.stem[:80] or "voice")
            voice = engine.models.voice_clone.clone([sample])[0].voice_id
            err.print(f"cloned the voice of {clone_from.name}: {voice}")
        try:
            request = SpeechRequest(text=text, voice=voice, pitch=pitch, rate=rate, variant=variant)
        except ValidationError as exc:
            first = exc.errors()[0]
            err.print(f"[red]studio:[/red] --{first['loc'][0]}: {first['msg']}", highlight=False)
            raise typer.Exit(2) from exc
        served = engine.models.speech.synthesize_served([request], CallContext(kind="cli_speech", model=model))
        result = served.value[0]
        output.write_bytes(result.wav)
        err.print(f"wrote {output} ({result.duration_s:.2f} s, {result.sample_rate} Hz) with {served.model} on {served.provider}")


def _register_flow_commands() -> None:
    from studio import cli_analytics, cli_generate, cli_intent, cli_personas, cli_scenarios, cli_story

    cli_generate.register(generate_app)
    cli_analytics.register(app)
    cli_intent.register(app)
    cli_personas.register(app)
    cli_scenarios.register(app)
    cli_story.register(app)


_register_flow_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
