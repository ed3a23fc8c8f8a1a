"""`studio feedback`, `studio route`, `studio route calibrate`, `studio report` and
`studio export training`. The CLI acts as the operator (an admin of its own machine)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from engine.analytics import ExportFormat
from engine.ownership import OPERATOR

__all__ = ["register"]


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _print_report(report: dict[str, Any]) -> None:
    overall = report["overall"]

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    print(f"Last {report['days']} days — {overall['requests']} model calls")
    print(f"  success {pct(overall['success_rate'])}, fallback {pct(overall['fallback_rate'])},"
          f" cost ${overall['cost_usd']:.4f}")
    satisfaction = overall["satisfaction"]
    print(f"  satisfaction {'-' if satisfaction is None else f'{satisfaction:.2f} / 5'} from {overall['ratings']} ratings")
    print(f"  router threshold {report['router_threshold']:.2f}")
    sections = (
        ("Lowest-rated workflows and models", report["lowest_rated"], ("workflow", "model", "mean_rating", "ratings")),
        ("Most frequent errors", report["frequent_errors"], ("provider", "count", "error")),
        ("Per day", report["trends"], ("day", "requests", "success_rate", "cost_usd")),
        ("Where routing chose badly", report["bad_routing"], ("generation_id", "kind", "chosen", "complexity", "problem")),
    )
    for title, rows, columns in sections:
        print(f"\n{title}:" + ("" if rows else " none"))
        for row in rows:
            print("  " + " | ".join(str(row.get(c)) if not isinstance(row.get(c), float) else f"{row[c]:.3g}" for c in columns))


def register(app: typer.Typer) -> None:
    export_app = typer.Typer(help="Export what the studio recorded.", no_args_is_help=True)
    app.add_typer(export_app, name="export")

    @app.command()
    def feedback(
        generation_id: Annotated[str, typer.Argument(help="The id of the output (generations row).")],
        rating: Annotated[int, typer.Option(help="1 (bad) to 5 (great).")],
        comment: Annotated[str | None, typer.Option(help="What was good or wrong.")] = None,
    ) -> None:
        """Rate one output; prints the stored feedback as JSON."""
        from studio.cli import opened_engine

        with opened_engine() as engine:
            saved = engine.analytics.feedback(generation_id, rating, comment, owner=OPERATOR)
            print(_dumps(saved.model_dump(mode="json")))

    @app.command()
    def route(
        prompt: Annotated[str, typer.Argument(help='The text request to route, or "calibrate".')],
        kind: Annotated[str, typer.Option(help="The kind of request (playground, story_chapter, ...).")] = "playground",
        share: Annotated[float, typer.Option(help="calibrate: share of requests for the strong model.")] = 0.3,
        last: Annotated[int, typer.Option(help="calibrate: how many of the latest routed requests to use.")] = 1000,
    ) -> None:
        """Print which model the router would choose for PROMPT and why, as one JSON object.

        `studio route calibrate --share 0.3` instead sets the threshold so that about 30 % of the
        last requests would go to the strong model.
        """
        from studio.cli import opened_engine

        with opened_engine() as engine:
            if prompt.strip() == "calibrate":
                print(_dumps(engine.analytics.calibrate(share, last, owner=OPERATOR).model_dump()))
            else:
                print(_dumps(engine.analytics.route(prompt, kind=kind, owner=OPERATOR).public()))

    @app.command()
    def report(
        days: Annotated[int, typer.Option(help="How many days back.")] = 30,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object on the last line.")] = False,
    ) -> None:
        """Performance summary and improvement report."""
        from studio.cli import opened_engine

        with opened_engine() as engine:
            result = engine.analytics.report(days, owner=OPERATOR).model_dump(mode="json")
            if as_json:
                print(_dumps(result))
            else:
                _print_report(result)

    @export_app.command("training")
    def export_training(
        output: Annotated[Path, typer.Option("--output", "-o", help="The .jsonl file to write.")],
        fmt: Annotated[ExportFormat, typer.Option("--format", help="openai or prompt-completion.")] = ExportFormat.OPENAI,
        since: Annotated[datetime | None, typer.Option(help="Only samples from this date on.", formats=["%Y-%m-%d"])] = None,
        min_rating: Annotated[float | None, typer.Option(help="Only samples rated at least this (1-5).")] = None,
        kind: Annotated[str | None, typer.Option(help="Only this kind of request.")] = None,
        split_by_kind: Annotated[bool, typer.Option("--split-by-kind", help="One file per kind.")] = False,
    ) -> None:
        """Write successful routed text calls as a fine-tuning JSONL file; prints the count and filters."""
        from studio.cli import opened_engine

        with opened_engine() as engine:
            result = engine.analytics.export_training(
                output,
                fmt,
                owner=OPERATOR,
                since=since.date() if since else None,
                min_rating=min_rating,
                kind=kind,
                split_by_kind=split_by_kind,
            )
            for path, count in result.files.items():
                print(f"{count} lines → {path}")
            print(_dumps(result.model_dump()))
