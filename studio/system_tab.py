"""System tab: adapters and whether they load, devices, queue depth, the latest model calls."""

from __future__ import annotations

import gradio as gr
import pandas as pd
import plotly.graph_objects as go

from engine.engine import Engine
from engine.system import JobRow, SystemStatus
from studio.errors import shows_errors
from studio.identity import Identities
from studio.operator_section import operator_section

__all__ = ["build"]

_STATUS_COLOURS = {
    "pending": "#94a3b8",
    "running": "#6366f1",
    "completed": "#16a34a",
    "failed": "#dc2626",
    "cancelled": "#a3a3a3",
    "blocked": "#d97706",
}


def _queue_figure(counts: dict[str, int]) -> go.Figure:
    statuses = list(counts)
    figure = go.Figure(
        go.Bar(
            x=statuses,
            y=[counts[s] for s in statuses],
            marker_color=[_STATUS_COLOURS.get(s, "#64748b") for s in statuses],
            text=[counts[s] for s in statuses],
            textposition="outside",
        )
    )
    figure.update_layout(title="Queue by status", height=280, margin=dict(l=20, r=20, t=40, b=20), yaxis_title="jobs")
    return figure


def _tables(status: SystemStatus) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    providers = pd.DataFrame([p.model_dump() for p in status.providers])
    devices = pd.DataFrame([d.model_dump() for d in status.devices])
    recent = pd.DataFrame(
        [
            {
                "when": r.created_at.strftime("%H:%M:%S"),
                "capability": r.capability,
                "provider": r.provider,
                "model": r.model,
                "request": r.request_summary[:80],
                "ms": round(r.latency_ms, 1),
                "cost $": round(r.cost_usd, 5),
                "outcome": r.outcome,
                "error": r.error or "",
            }
            for r in status.recent
        ],
        columns=["when", "capability", "provider", "model", "request", "ms", "cost $", "outcome", "error"],
    )
    jobs = pd.DataFrame([j.model_dump() for j in status.jobs], columns=list(JobRow.model_fields))
    return providers, devices, recent, jobs


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    """Render the System tab's contents inside the current `gr.Tab`."""
    notices = gr.Markdown(visible=False, elem_id="system-notices")
    with gr.Row():
        queue_plot = gr.Plot(label="Queue")
        devices_table = gr.Dataframe(label="Devices (running jobs per device)", interactive=False)
    providers_table = gr.Dataframe(label="Adapters — available, configured and loaded", interactive=False, wrap=True)
    recent_table = gr.Dataframe(label="Latest model calls", interactive=False, wrap=True)
    jobs_table = gr.Dataframe(label="Latest queue jobs", interactive=False, wrap=True)
    with gr.Row():
        job_id = gr.Textbox(label="Job id", placeholder="paste a job id to cancel it", scale=4)
        cancel = gr.Button("Cancel job", variant="stop", scale=1)
    with gr.Row():
        refresh = gr.Button("Refresh", variant="secondary")
        smoke = gr.Button("Smoke-test configured models", variant="primary")
    smoke_table = gr.Dataframe(label="Smoke test", interactive=False, visible=True)
    operator_section(engine, who)

    @shows_errors
    def refresh_status(
        request: gr.Request,
    ) -> tuple[go.Figure, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
        status = engine.system.status(owner=who.owner(request))  # a visitor sees their own calls and jobs
        providers, devices, recent, jobs = _tables(status)
        notice = gr.update(value="\n".join(f"⚠️ {n}" for n in status.notices), visible=bool(status.notices))
        return _queue_figure(status.queue_counts), devices, providers, recent, jobs, notice

    @shows_errors
    def cancel_job(identifier: str, request: gr.Request) -> str:
        if not identifier.strip():
            raise gr.Error("Paste the id of a job from the table first.")
        row = engine.system.cancel_job(identifier, owner=who.owner(request))
        gr.Info(f"Job {row.id[:8]}… is now {row.status}.")
        return ""

    @shows_errors
    def run_smoke_test(progress: gr.Progress = gr.Progress()) -> pd.DataFrame:
        progress(0, desc="Loading models and making one tiny output each…")
        results = engine.system.smoke_test()
        return pd.DataFrame([r.model_dump() for r in results])

    outputs = [queue_plot, devices_table, providers_table, recent_table, jobs_table, notices]
    refresh.click(refresh_status, outputs=outputs, api_name="system_status")
    cancel.click(cancel_job, job_id, job_id, api_name="cancel_job").then(refresh_status, outputs=outputs)
    smoke.click(run_smoke_test, outputs=smoke_table, api_name="smoke_test").then(refresh_status, outputs=outputs)
    gr.Timer(10).tick(refresh_status, outputs=outputs, api_visibility="private", show_progress="hidden")
    demo.load(refresh_status, outputs=outputs, api_visibility="private")
