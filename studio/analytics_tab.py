"""Analytics tab: dashboards over the DuckDB views, the improvement report and the router's
decisions. Admin-only when auth is on (STUDIO_ADMIN_USERS); every chart's numbers download as CSV."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from engine.analytics import CHARTS
from engine.engine import Engine
from engine.errors import InvalidRequest
from studio import actions
from studio.analytics_charts import TITLES, figure_for
from studio.errors import shows_errors
from studio.identity import Identities

__all__ = ["build"]

ALL = "all workflows"
DECISION_COLUMNS = ["created_at", "kind", "tier", "chosen", "complexity", "threshold", "reasons", "generation_id"]
BAD_COLUMNS = ["created_at", "kind", "tier", "chosen", "complexity", "cost_usd", "rating", "problem", "generation_id"]


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise InvalidRequest(field, "write the day as YYYY-MM-DD, e.g. 2026-01-31") from exc


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _summary(overall: dict[str, Any], threshold: float, days: int) -> str:
    satisfaction = overall["satisfaction"]
    stars = "–" if satisfaction is None else f"{satisfaction:.2f} / 5 ({overall['ratings']} ratings)"
    return (
        f"**Last {days} days** · {overall['requests']:,} model calls · success {_pct(overall['success_rate'])}"
        f" · fallback {_pct(overall['fallback_rate'])} · cost ${overall['cost_usd']:.4f}"
        f" · satisfaction {stars} · router threshold {threshold:.2f}"
    )


def build(engine: Engine, demo: gr.Blocks, tab: gr.Tab, who: Identities) -> None:
    """The tab's numbers load when it is selected (not on every page load) and on Refresh."""
    gate = gr.Markdown("", visible=False)
    with gr.Column(visible=True) as content:
        with gr.Row(equal_height=False, elem_classes=["analytics-filters"]):
            today = date.today()
            start = gr.Textbox(label="From (YYYY-MM-DD)", value=(today - timedelta(days=29)).isoformat(), min_width=140)
            end = gr.Textbox(label="To (YYYY-MM-DD)", value=today.isoformat(), min_width=140)
            workflow = gr.Dropdown([ALL], value=ALL, label="Workflow", allow_custom_value=True, min_width=180)
            with gr.Column(scale=0, min_width=120):
                refresh = gr.Button("Refresh", variant="primary")
                refresh_status = actions.status_line()
        summary = gr.Markdown("")
        plots: dict[str, gr.Plot] = {}
        downloads: dict[str, gr.DownloadButton] = {}
        for pair in (CHARTS[i : i + 2] for i in range(0, len(CHARTS), 2)):
            with gr.Row():
                for name in pair:
                    with gr.Column(min_width=320):
                        plots[name] = gr.Plot(label=TITLES[name], show_label=True)
                        downloads[name] = gr.DownloadButton(f"CSV: {TITLES[name].lower()}", size="sm", value=None)
        with gr.Accordion("Router decisions (latest 50)", open=False):
            decisions_none = gr.Markdown("No routing decisions in this period yet.")
            decisions = gr.Dataframe(headers=DECISION_COLUMNS, interactive=False, wrap=True, visible=False,
                                     elem_classes=["studio-table"])
        with gr.Accordion("Where routing chose badly", open=False):
            bad_none = gr.Markdown("No badly routed calls in this period.")
            bad = gr.Dataframe(headers=BAD_COLUMNS, interactive=False, wrap=True, visible=False,
                               elem_classes=["studio-table"])

    @shows_errors
    def show(first: str, last: str, chosen: str | None, request: gr.Request,
             progress: gr.Progress = gr.Progress()) -> dict[Any, Any]:
        owner = who.owner(request)
        if not engine.analytics.can_view(owner):
            return {
                gate: gr.update(value="The analytics cover everyone's data, so they are for admins "
                                "(an account listed in STUDIO_ADMIN_USERS).", visible=True),
                content: gr.update(visible=False),
            }
        start_day, end_day = _day(first, "from"), _day(last, "to")
        flow = None if not chosen or chosen == ALL else chosen
        progress(0.1, desc="Reading the model calls…")
        frames = engine.analytics.dashboard(start_day, end_day, flow, owner=owner)
        folder = Path(tempfile.mkdtemp(prefix="studio-analytics-"))
        updates: dict[Any, Any] = {gate: gr.update(visible=False), content: gr.update(visible=True)}
        for name, frame in frames.items():
            updates[plots[name]] = figure_for(name, frame)
            path = folder / f"{name}_{start_day}_{end_day}.csv"
            frame.to_csv(path, index=False)
            updates[downloads[name]] = str(path)
        days = (end_day - start_day).days + 1
        progress(0.6, desc="Comparing routes and feedback…")
        report = engine.analytics.report(max(1, (date.today() - start_day).days + 1), owner=owner)
        updates[summary] = _summary(report.overall, report.router_threshold, days)
        rows = [r.model_dump() for r in engine.analytics.decisions(50, owner=owner)]
        for row in rows:
            row["reasons"] = "; ".join(row["reasons"])
            row["complexity"] = round(row["complexity"], 3)
        for table, none, frame in ((decisions, decisions_none, pd.DataFrame(rows, columns=DECISION_COLUMNS)),
                                   (bad, bad_none, pd.DataFrame(report.bad_routing, columns=BAD_COLUMNS))):
            updates[table] = gr.update(value=frame, visible=not frame.empty)  # no empty headers on the page
            updates[none] = gr.update(visible=frame.empty)
        options = [ALL, *engine.analytics.workflows(start_day, end_day, owner=owner)]
        updates[workflow] = gr.update(choices=options, value=chosen if chosen in options else ALL)
        return updates

    outputs = [gate, content, summary, decisions, bad, workflow, *plots.values(), *downloads.values(),
               decisions_none, bad_none]
    actions.wire(refresh.click, show, [start, end, workflow], outputs, status=refresh_status,
                 api_name="analytics_dashboard")
    actions.wire(tab.select, show, [start, end, workflow], outputs, status=refresh_status, api_name=False)
