"""Plotly figures for the Intent Lab's evaluate view: confusion matrices and latency distributions."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from engine.intent import EvaluationReport

__all__ = ["confusion_figure", "latency_figure"]

_SHORT = {
    "image_generation": "gen", "image_editing": "edit", "image_enhancement": "enhance", "hair_styling": "hair",
    "reference_styling": "ref", "style_transfer": "style", "text_to_video": "t2v", "image_to_video": "i2v",
    "video_generation": "video+audio",
}


def confusion_figure(reports: Sequence[EvaluationReport]) -> go.Figure:
    """One heatmap per method, side by side: rows are the true workflow, columns the predicted one.
    Only the method's own answers are counted; requests a fallback answered are named in the title."""
    figure = make_subplots(
        rows=1, cols=len(reports), horizontal_spacing=0.08,
        subplot_titles=[
            f"{r.method}: {r.accuracy:.3f} on its {r.answered} answers"
            + (f" ({r.fallbacks} fell back)" if r.fallbacks else "")
            for r in reports
        ],
    )
    for column, report in enumerate(reports, start=1):
        labels = [_SHORT.get(label, label) for label in report.labels]
        figure.add_trace(
            go.Heatmap(
                z=report.confusion, x=labels, y=labels, colorscale="Blues", showscale=False,
                text=report.confusion, texttemplate="%{text}",
                hovertemplate="true %{y}<br>predicted %{x}<br>%{z} requests<extra></extra>",
            ),
            row=1, col=column,
        )
        figure.update_xaxes(title_text="predicted", row=1, col=column)
        figure.update_yaxes(title_text="true" if column == 1 else None, autorange="reversed", row=1, col=column)
    figure.update_layout(height=460, margin=dict(l=20, r=20, t=60, b=20))
    return figure


def latency_figure(reports: Sequence[EvaluationReport]) -> go.Figure:
    """Each method's per-request latency as a box with every request shown, on a log axis."""
    figure = go.Figure()
    for report in reports:
        figure.add_trace(
            go.Box(
                x=list(report.latencies_ms), name=report.method, boxpoints="all", jitter=0.4, pointpos=0,
                marker=dict(size=4, opacity=0.5), hovertemplate="%{x:.2f} ms<extra></extra>",
            )
        )
    figure.update_layout(
        title="Latency per request (ms, log scale): p50 "
        + ", ".join(f"{r.method} {r.p50_ms:.1f}" for r in reports),
        xaxis_type="log", xaxis_title="ms", height=320, showlegend=False, margin=dict(l=20, r=20, t=50, b=20),
    )
    return figure
