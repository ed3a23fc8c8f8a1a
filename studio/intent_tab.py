"""Intent Lab tab: classify a request, compare the three methods, plan a model, evaluate, correct."""

from __future__ import annotations

import gradio as gr
import pandas as pd
import plotly.graph_objects as go

from engine.engine import Engine
from engine.intent import EvaluationReport, Method, Workflow
from studio.errors import shows_errors

__all__ = ["build"]

WORKFLOWS = [w.value for w in Workflow]


def _confusion_figure(report: EvaluationReport, method: str) -> go.Figure:
    figure = go.Figure(
        go.Heatmap(z=report.confusion, x=report.labels, y=report.labels, colorscale="Blues", text=report.confusion,
                   texttemplate="%{text}")
    )
    figure.update_layout(
        title=f"{method}: accuracy {report.accuracy:.3f}, p50 {report.p50_ms:.1f} ms",
        xaxis_title="predicted", yaxis_title="true", height=520, margin=dict(l=20, r=20, t=50, b=20),
    )
    return figure


def build(engine: Engine, demo: gr.Blocks) -> None:
    user = gr.State("lab-user")
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="What do you want to make?", lines=2, placeholder="put @sarah in this red dress")
            with gr.Row():
                has_image = gr.Checkbox(label="I have a working image", value=False)
                method = gr.Radio([m.value for m in Method], value="embedding", label="Classifier")
                quality = gr.Radio(["speed", "balanced", "quality"], value="balanced", label="Quality")
            with gr.Row():
                classify = gr.Button("Classify", variant="primary")
                compare = gr.Button("Compare all three")
                plan = gr.Button("Plan: model, cost, prompt")
        with gr.Column(scale=4):
            card = gr.Markdown("The result appears here.")
            compare_table = gr.Dataframe(label="Side by side", interactive=False, wrap=True)
    with gr.Accordion("This was wrong", open=False):
        with gr.Row():
            right_label = gr.Dropdown(WORKFLOWS, label="The right workflow")
            correct = gr.Button("Save correction")
            retrain = gr.Button("Retrain the embedding head from corrections")
        correction_note = gr.Markdown()
    with gr.Accordion("Evaluate on the held-out set", open=False):
        with gr.Row():
            eval_method = gr.Radio(["rules", "embedding"], value="embedding", label="Classifier")
            evaluate = gr.Button("Evaluate")
        eval_plot = gr.Plot()

    @shows_errors
    def run_classify(text: str, image: bool, chosen: str, user_id: str) -> str:
        result = engine.intent.classify(text, image, chosen, user_id)
        fallback = f" (answered by {result.fallback_used.value})" if result.fallback_used else ""
        search = f"\n- web search: `{result.web_search_query}`" if result.requires_web_search else ""
        return (
            f"### {result.workflow_type.value}\n- confidence **{result.confidence:.2f}** · method {result.method.value}"
            f"{fallback} · {result.latency_ms:.1f} ms\n- {result.reasoning}{search}"
        )

    @shows_errors
    def run_compare(text: str, image: bool, user_id: str) -> pd.DataFrame:
        rows = engine.intent.compare(text, image, user_id)
        return pd.DataFrame(
            [{"method": r.method.value, "workflow": r.workflow_type.value, "confidence": round(r.confidence, 3),
              "fallback": r.fallback_used.value if r.fallback_used else "", "ms": round(r.latency_ms, 1),
              "reasoning": r.reasoning} for r in rows]
        )

    @shows_errors
    def run_plan(text: str, image: bool, level: str, user_id: str) -> str:
        result = engine.intent.plan(text, image, level, user_id=user_id)
        s = result.selection
        fallbacks = ", ".join(f"{o.model_id} ({o.provider})" for o in s.fallbacks) or "none"
        missing = f"\n- missing @mentions: {', '.join(result.prompt.missing_mentions)}" if result.prompt.missing_mentions else ""
        return (
            f"### {result.classification.workflow_type.value} → `{s.primary}` on {s.provider}\n"
            f"- {result.message}\n- fallbacks: {fallbacks}\n- enhanced prompt: {result.prompt.enhanced}{missing}"
        )

    @shows_errors
    def run_correct(text: str, image: bool, label: str | None, user_id: str) -> str:
        if not label:
            raise gr.Error("Pick the right workflow first.")
        engine.intent.correct(text, image, label, user_id)
        return f"Saved: “{text[:60]}” is **{label}**."

    @shows_errors
    def run_retrain() -> str:
        return f"Retrained the embedding head with {engine.intent.retrain()} correction(s)."

    @shows_errors
    def run_evaluate(chosen: str, progress: gr.Progress = gr.Progress()) -> go.Figure:
        progress(0, desc=f"Classifying the held-out set with {chosen}…")
        return _confusion_figure(engine.intent.evaluate(chosen), chosen)

    classify.click(run_classify, [prompt, has_image, method, user], card, api_name="classify")
    compare.click(run_compare, [prompt, has_image, user], compare_table, api_name="compare")
    plan.click(run_plan, [prompt, has_image, quality, user], card, api_name="process")
    correct.click(run_correct, [prompt, has_image, right_label, user], correction_note, api_name="correct_intent")
    retrain.click(run_retrain, None, correction_note, api_name="retrain_intent")
    evaluate.click(run_evaluate, eval_method, eval_plot, api_name="evaluate")
