"""Plotly figures for the Analytics tab, one per dashboard query (engine.analytics.CHARTS)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

__all__ = ["FIGURES", "TITLES", "empty_figure"]

TITLES: dict[str, str] = {
    "requests": "Requests and cost per day, by workflow",
    "ratings": "Mean rating by workflow and model",
    "router": "Router decisions and outcomes",
    "intent_methods": "Intent classification by method",
    "classifier_ab": "Classifier A/B: accuracy on corrected prompts",
    "selection": "Model selection: success and calibration error",
    "queue": "Queue throughput and wait by job kind",
    "narration": "Narration cache",
}


def _layout(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(
        # The title is the gr.Plot label: a Plotly title collides with the mode bar on a phone.
        height=340, margin=dict(l=10, r=10, t=64, b=10),
        legend=dict(orientation="h", y=-0.25), plot_bgcolor="white",
    )
    # A light grid by hand: applying a named template deep-copies it and costs ~100 ms per chart.
    figure.update_xaxes(gridcolor="#eef0f3", linecolor="#d5d9e0")
    figure.update_yaxes(gridcolor="#eef0f3", linecolor="#d5d9e0")
    return figure


def empty_figure(title: str, note: str = "No data in this range yet.") -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=13))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title)


def _bars(df: pd.DataFrame, x: str, y: str, color: str, *, hover: str | None = None) -> list[go.Bar]:
    """One bar trace per value of `color` (what plotly.express does, without its per-call overhead)."""
    traces = []
    for value, part in df.groupby(color, sort=True, observed=True):
        traces.append(
            go.Bar(x=part[x].astype(str), y=part[y], name=str(value), hovertext=None if hover is None else part[hover])
        )
    return traces


def _requests(df: pd.DataFrame) -> go.Figure:
    per_day = df.groupby(["day", "workflow"], as_index=False)[["requests", "cost_usd"]].sum()
    figure = go.Figure(_bars(per_day, "day", "requests", "workflow"))
    cost = df.groupby("day", as_index=False)["cost_usd"].sum()
    figure.add_trace(go.Scatter(x=cost["day"].astype(str), y=cost["cost_usd"], name="cost (USD)", yaxis="y2",
                                mode="lines+markers"))
    figure.update_layout(yaxis2=dict(overlaying="y", side="right", title="USD", showgrid=False), barmode="stack")
    return figure


def _ratings(df: pd.DataFrame) -> go.Figure:
    figure = go.Figure(_bars(df, "workflow", "mean_rating", "model"))
    figure.update_layout(barmode="group", yaxis=dict(range=[0, 5], title="mean rating"))
    return figure


def _router(df: pd.DataFrame) -> go.Figure:
    per_tier = df.groupby(["workflow", "tier"], as_index=False)["decisions"].sum()
    figure = go.Figure(_bars(per_tier, "workflow", "decisions", "tier"))
    figure.update_layout(barmode="group")
    return figure


def _rates(df: pd.DataFrame, x: str, columns: list[str]) -> go.Figure:
    figure = go.Figure([go.Bar(x=df[x].astype(str), y=df[c], name=c.replace("_", " ")) for c in columns])
    figure.update_layout(barmode="group")
    return figure


def _queue(df: pd.DataFrame) -> go.Figure:
    per_kind = df.groupby("workflow", as_index=False)[["completed", "failed"]].sum()
    figure = go.Figure([go.Bar(x=per_kind["workflow"], y=per_kind[c], name=c) for c in ("completed", "failed")])
    figure.update_layout(barmode="stack")
    return figure


def _narration(df: pd.DataFrame) -> go.Figure:
    row = df.iloc[0]
    return go.Figure(go.Bar(x=["hits", "misses", "preloads"], y=[row["hits"], row["misses"], row["preloads"]]))


FIGURES: dict[str, Callable[[pd.DataFrame], go.Figure]] = {
    "requests": _requests,
    "ratings": _ratings,
    "router": _router,
    "intent_methods": lambda df: _rates(df, "method", ["mean_confidence", "fallback_rate", "cache_hit_rate"]),
    "classifier_ab": lambda df: _rates(df, "method", ["accuracy_on_corrections"]),
    "selection": lambda df: _rates(df, "model", ["success_rate"]),
    "queue": _queue,
    "narration": _narration,
}


def figure_for(name: str, df: pd.DataFrame) -> go.Figure:
    """The chart of one dashboard query, or a labelled empty chart."""
    empty = df.empty or (name == "narration" and int(df.iloc[0][["hits", "misses", "preloads"]].sum()) == 0)
    if empty:
        return empty_figure(TITLES[name])
    return _layout(FIGURES[name](df), TITLES[name])
