"""System tab: adapters and whether they load, devices, queue depth, the latest model calls."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd
import plotly.graph_objects as go

from engine.engine import Engine
from engine.providers.base import Capability
from engine.system import JobRow, ProviderRow, SmokeResult, SystemStatus
from studio import actions
from studio.errors import shows_errors
from studio.identity import Identities
from studio.operator_section import operator_section

__all__ = ["build"]

RECENT_COLUMNS = ["when", "capability", "model", "request", "ms", "cost $", "outcome"]
JOB_COLUMNS = ["id", "kind", "status", "device", "priority"]

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
    top = max(counts.values(), default=0)
    figure.update_layout(title="Queue by status" if top else "Queue by status: no jobs yet", height=280,
                         margin=dict(l=20, r=20, t=40, b=20), yaxis_title="jobs", yaxis_range=[0, max(1, top) * 1.25])
    return figure


def _adapter_state(row: ProviderRow) -> str:
    """One text badge instead of three true/false columns."""
    if not row.available:
        return "unavailable"
    return ("in use, " if row.configured else "") + ("loaded" if row.loaded else "not loaded")


def _tables(status: SystemStatus) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Few, wrapped columns, so each table reads whole on a phone too."""
    providers = pd.DataFrame(
        [{"capability": p.capability, "adapter": p.provider, "state": _adapter_state(p),
          "why": p.reason or p.description} for p in status.providers],
        columns=["capability", "adapter", "state", "why"],
    )
    devices = pd.DataFrame([d.model_dump() for d in status.devices])
    recent = pd.DataFrame(
        [
            {
                "when": r.created_at.strftime("%H:%M:%S"),
                "capability": r.capability,
                "model": f"{r.provider} / {r.model}",
                "request": r.request_summary[:80],
                "ms": round(r.latency_ms, 1),
                "cost $": round(r.cost_usd, 5),
                "outcome": f"{r.outcome}: {r.error}" if r.error else r.outcome,
            }
            for r in status.recent
        ],
        columns=RECENT_COLUMNS,
    )
    jobs = pd.DataFrame(
        [{"id": j.id, "kind": j.kind, "status": _job_state(j), "device": j.device or "",
          "priority": j.priority} for j in status.jobs],
        columns=JOB_COLUMNS,
    )
    return providers, devices, recent, jobs


def _job_state(job: JobRow) -> str:
    state = job.status if job.status != "running" else f"running {job.progress:.0%}"
    if job.attempts > 1:
        state += f" (try {job.attempts})"
    return f"{state}: {job.error}" if job.error else state


def _shown(frame: pd.DataFrame) -> dict[str, Any]:
    """A table appears only once it has rows: no empty headers on the page."""
    return gr.update(value=frame, visible=not frame.empty)


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    """Render the System tab's contents inside the current `gr.Tab`."""
    notices = gr.Markdown(visible=False, elem_id="system-notices")
    with gr.Row():
        queue_plot = gr.Plot(label="Queue", min_width=300)
        devices_table = gr.Dataframe(label="Devices (running jobs per device)", interactive=False, wrap=True,
                                     min_width=300, elem_classes=["studio-table"])
    providers_table = gr.Dataframe(label="Adapters: available, in use and loaded", interactive=False, wrap=True,
                                   elem_classes=["studio-table"])
    recent_table = gr.Dataframe(label="Latest model calls", interactive=False, wrap=True, visible=False,
                                elem_classes=["studio-table"])
    jobs_table = gr.Dataframe(label="Latest queue jobs", interactive=False, wrap=True, visible=False,
                              elem_classes=["studio-table"])
    with gr.Row():
        job_id = gr.Textbox(label="Job id", placeholder="paste a job id to cancel it", scale=4, min_width=200)
        with gr.Column(scale=1, min_width=140):
            cancel = gr.Button("Cancel job", variant="stop")
            cancel_status = actions.status_line()
    with gr.Row():
        refresh = gr.Button("Refresh", variant="secondary")
        with gr.Column():
            smoke = gr.Button("Smoke-test configured models", variant="primary")
            smoke_status = actions.status_line()
    smoke_table = gr.Dataframe(label="Smoke test", interactive=False, visible=False, wrap=True,
                               elem_classes=["studio-table"])
    operator_section(engine, who)

    @shows_errors
    def refresh_status(request: gr.Request) -> tuple[go.Figure, Any, Any, Any, Any, dict]:
        status = engine.system.status(owner=who.owner(request))  # a visitor sees their own calls and jobs
        providers, devices, recent, jobs = _tables(status)
        notice = gr.update(value="\n".join(f"**Notice:** {n}  " for n in status.notices),
                           visible=bool(status.notices))
        return _queue_figure(status.queue_counts), devices, providers, _shown(recent), _shown(jobs), notice

    @shows_errors
    def cancel_job(identifier: str, request: gr.Request) -> str:
        if not identifier.strip():
            raise gr.Error("Paste the id of a job from the table first.")
        row = engine.system.cancel_job(identifier, owner=who.owner(request))
        gr.Info(f"Job {row.id[:8]}… is now {row.status}.")
        return ""

    @shows_errors
    def run_smoke_test(progress: gr.Progress = gr.Progress()) -> dict[str, Any]:
        results: list[SmokeResult] = []
        capabilities = list(Capability)
        for done, capability in enumerate(capabilities):
            progress(done / len(capabilities), desc=f"Testing {capability.value} ({done + 1}/{len(capabilities)})…")
            results += engine.system.smoke_test([capability])
        rows = [{"capability": r.capability, "adapter": r.provider, "result": "passed" if r.ok else "failed",
                 "seconds": r.seconds, "detail": r.detail} for r in results]
        return _shown(pd.DataFrame(rows, columns=["capability", "adapter", "result", "seconds", "detail"]))

    outputs = [queue_plot, devices_table, providers_table, recent_table, jobs_table, notices]
    actions.wire(refresh.click, refresh_status, None, outputs, api_name="system_status")
    actions.wire(cancel.click, cancel_job, job_id, job_id, status=cancel_status,
                 api_name="cancel_job").then(refresh_status, outputs=outputs, show_progress="hidden")
    actions.wire(smoke.click, run_smoke_test, None, smoke_table, status=smoke_status,
                 api_name="smoke_test").then(refresh_status, outputs=outputs, show_progress="hidden")
    gr.Timer(10).tick(refresh_status, outputs=outputs, api_visibility="private", show_progress="hidden")
    demo.load(refresh_status, outputs=outputs, api_visibility="private", show_progress="hidden")
