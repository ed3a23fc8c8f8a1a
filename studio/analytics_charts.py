"""Plotly figures for the Analytics tab, one per dashboard query (engine.analytics.CHARTS)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.express as px
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
        title=dict(text=title, font=dict(size=14)), height=320, margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", y=-0.25), template="plotly_white",
    )
    return figure


def empty_figure(title: str, note: str = "No data in this range yet.") -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=13))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title)


def _requests(df: pd.DataFrame) -> go.Figure:
    per_day = df.groupby(["day", "workflow"], as_index=False)[["requests", "cost_usd"]].sum()
    figure = px.bar(per_day, x="day", y="requests", color="workflow", hover_data=["cost_usd"])
    cost = df.groupby("day", as_index=False)["cost_usd"].sum()
    figure.add_trace(go.Scatter(x=cost["day"], y=cost["cost_usd"], name="cost (USD)", yaxis="y2", mode="lines+markers"))
    figure.update_layout(yaxis2=dict(overlaying="y", side="right", title="USD", showgrid=False), barmode="stack")
    return figure


def _ratings(df: pd.DataFrame) -> go.Figure:
    figure = px.bar(df, x="workflow", y="mean_rating", color="model", barmode="group", hover_data=["ratings", "low_ratings"])
    figure.update_yaxes(range=[0, 5])
    return figure


def _router(df: pd.DataFrame) -> go.Figure:
    return px.bar(
        df, x="workflow", y="decisions", color="tier", barmode="group",
        hover_data=["chosen", "model", "success_rate", "mean_complexity", "mean_rating", "cost_usd"],
    )


def _rates(df: pd.DataFrame, x: str, columns: list[str]) -> go.Figure:
    long = df.melt(id_vars=[x], value_vars=columns, var_name="measure", value_name="value")
    return px.bar(long, x=x, y="value", color="measure", barmode="group")


def _queue(df: pd.DataFrame) -> go.Figure:
    per_kind = df.groupby(["workflow", "device"], as_index=False)[["jobs", "completed", "failed"]].sum()
    return px.bar(per_kind, x="workflow", y=["completed", "failed"], barmode="stack", hover_data=["device", "jobs"])


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
