"""Intent Lab tab: classify a request, compare the three methods, process it (classify → select →
enhance → run), watch the circuit breakers, save @references, correct, and evaluate on labelled JSONL."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pandas as pd
import plotly.graph_objects as go

from engine.engine import Engine
from engine.intent import Classification, Method, ProcessResult, RunStatus, Workflow
from studio.errors import shows_errors
from studio.identity import Identities
from studio.intent_plots import confusion_figure, latency_figure
from studio.uploads import ImageFile, read_optional, read_upload

__all__ = ["build"]

WORKFLOWS = [w.value for w in Workflow]
_STATUS_BADGE = {
    RunStatus.DONE: "✅ made",
    RunStatus.PLACEHOLDER: "🏷️ labelled stand-in",
    RunStatus.NEEDS_PROVIDER: "🔌 needs a provider",
    RunStatus.FAILED: "❌ failed",
}


def _classification_card(result: Classification) -> str:
    fallback = f" (answered by {result.fallback_used.value})" if result.fallback_used else ""
    search = f"\n- web search: `{result.web_search_query}`" if result.requires_web_search else ""
    return (
        f"### {result.workflow_type.value}\n- confidence **{result.confidence:.2f}** · method {result.method.value}"
        f"{fallback} · {result.latency_ms:.1f} ms\n- {result.reasoning}{search}"
    )


def _process_card(result: ProcessResult) -> str:
    plan, selection = result.plan, result.plan.selection
    fallbacks = ", ".join(f"{o.model_id} ({o.provider})" for o in selection.fallbacks[:4]) or "none on hand"
    lines = [
        f"### {plan.classification.workflow_type.value} → `{selection.primary}` on {selection.provider}",
        f"**{_STATUS_BADGE[result.status]}** — {result.message}",
        f"- confidence {plan.classification.confidence:.2f} · {plan.classification.reasoning}",
        f"- estimated ${selection.estimated_cost_usd:.3f}, about {selection.estimated_seconds:g} s · {selection.reason}",
        f"- fallbacks: {fallbacks}",
        f"- enhanced prompt: {plan.prompt.enhanced}",
    ]
    if result.actual_seconds is not None:
        lines.append(f"- actual: ${result.actual_cost_usd or 0:.3f}, {result.actual_seconds:.2f} s")
    if result.operations:
        lines.append(f"- steps: {'; '.join(result.operations)}")
    if plan.prompt.mentions:
        lines.append(f"- @mentions: {', '.join('@' + name for name in plan.prompt.mentions)}")
    if plan.prompt.missing_mentions:
        lines.append(f"- ⚠️ no saved reference for: {', '.join('@' + n for n in plan.prompt.missing_mentions)}")
    return "\n".join(lines)


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="What do you want to make?", lines=2, placeholder="put @sarah in this red dress")
            working = ImageFile(type="filepath", label="Working image (optional)", sources=["upload", "clipboard"], height=220)
            with gr.Row():
                has_image = gr.Checkbox(label="I have a working image", value=False)
                method = gr.Radio([m.value for m in Method], value="embedding", label="Classifier")
                quality = gr.Radio(["speed", "balanced", "quality"], value="balanced", label="Quality")
            with gr.Row():
                classify = gr.Button("Classify")
                compare = gr.Button("Compare all three")
                process = gr.Button("Process", variant="primary")
        with gr.Column(scale=4):
            card = gr.Markdown("The result appears here.")
            output_image = gr.Image(label="Result", interactive=False, height=320)
            output_video = gr.Video(label="Result (video)", interactive=False, height=320)
            compare_table = gr.Dataframe(label="Side by side", interactive=False, wrap=True)
    with gr.Accordion("Circuit breakers (remote providers)", open=False):
        breakers = gr.Dataframe(value=lambda: pd.DataFrame(engine.intent.breaker_rows()), interactive=False)
    with gr.Accordion("Reference images for @mentions", open=False):
        with gr.Row():
            reference_image = ImageFile(type="filepath", label="Reference image", height=180)
            with gr.Column():
                reference_tag = gr.Textbox(label="Tag", placeholder="@sarah")
                save_reference = gr.Button("Save reference")
                references_note = gr.Markdown()
    with gr.Accordion("This was wrong", open=False):
        with gr.Row():
            right_label = gr.Dropdown(WORKFLOWS, label="The right workflow")
            correct = gr.Button("Save correction")
            retrain = gr.Button("Retrain the embedding head from corrections")
        correction_note = gr.Markdown()
    with gr.Accordion("Evaluate on labelled requests", open=False):
        gr.Markdown('Upload JSONL lines `{"prompt": "...", "has_image": false, "workflow": "image_editing"}`, '
                    "or leave it empty for the bundled held-out set (never trained on).")
        with gr.Row():
            labelled = gr.File(label="Labelled JSONL (optional)", file_types=[".jsonl", ".json", ".txt"])
            eval_methods = gr.CheckboxGroup([m.value for m in Method], value=["rules", "embedding"], label="Methods")
            llm_limit = gr.Slider(5, 216, value=20, step=1, label="Requests sent to the LLM (slow)")
            evaluate = gr.Button("Evaluate")
        eval_table = gr.Dataframe(label="Accuracy and latency", interactive=False)
        eval_confusion = gr.Plot(label="Confusion matrices")
        eval_latency = gr.Plot(label="Latency distributions")
    with gr.Accordion("Selections and runs log", open=False):
        log_table = gr.Dataframe(interactive=False, wrap=True)
        refresh_log = gr.Button("Refresh")

    @shows_errors
    def run_classify(text: str, image: bool, chosen: str, request: gr.Request) -> str:
        return _classification_card(engine.intent.classify(text, image, chosen, owner=who.owner(request)))

    @shows_errors
    def run_compare(text: str, image: bool, request: gr.Request) -> pd.DataFrame:
        rows = engine.intent.compare(text, image, owner=who.owner(request))
        return pd.DataFrame(
            [{"method": r.method.value, "workflow": r.workflow_type.value, "confidence": round(r.confidence, 3),
              "fallback": r.fallback_used.value if r.fallback_used else "", "ms": round(r.latency_ms, 1),
              "reasoning": r.reasoning} for r in rows]
        )

    @shows_errors
    def run_process(
        text: str, image: str | None, level: str, request: gr.Request, progress: gr.Progress = gr.Progress()
    ) -> tuple[str, str | None, str | None]:
        progress(0.1, desc="Classifying, selecting a model, enhancing the prompt…")
        owner = who.owner(request)
        who.received(owner, [image])
        result = engine.intent.process(text, read_optional(image), level, owner=owner)
        progress(1.0, desc="Done")
        still = result.output_path if result.output_kind == "image" else None
        video = result.output_path if result.output_kind == "video" else None
        return _process_card(result), still, video

    @shows_errors
    def run_save_reference(image: str | None, tag: str, request: gr.Request) -> str:
        if not image:
            raise gr.Error("Choose the reference image first.")
        owner = who.owner(request)
        who.received(owner, [image])
        data, _ = read_upload(image, "reference image")
        name = engine.intent.save_reference(tag, data, owner=owner)
        saved = ", ".join(f"@{t}" for t in engine.intent.references(owner=owner))
        return f"Saved **@{name}**. Your references: {saved}"

    @shows_errors
    def run_correct(text: str, image: bool, label: str | None, request: gr.Request) -> str:
        if not label:
            raise gr.Error("Pick the right workflow first.")
        engine.intent.correct(text, image, label, owner=who.owner(request))
        return f"Saved: “{text[:60]}” is **{label}**."

    @shows_errors
    def run_retrain() -> str:
        return f"Retrained the embedding head with {engine.intent.retrain()} correction(s)."

    @shows_errors
    def run_evaluate(
        upload: str | None, methods: list[str], limit: float, request: gr.Request,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[pd.DataFrame, go.Figure, go.Figure]:
        owner = who.owner(request)
        who.received(owner, [upload])
        if not methods:
            raise gr.Error("Pick at least one method to evaluate.")
        path = Path(upload) if upload else None
        reports = []
        for step, chosen in enumerate(methods):
            progress(step / len(methods), desc=f"Classifying every request with {chosen}…")
            cap = int(limit) if chosen == Method.LLM.value else None
            reports.append(engine.intent.evaluate(chosen, path, limit=cap, owner=owner))
        table = pd.DataFrame(
            [{"method": r.method, "requests": r.examples, "accuracy": round(r.accuracy, 3),
              "p50 ms": round(r.p50_ms, 2), "p95 ms": round(r.p95_ms, 2), "fallbacks": r.fallbacks}
             for r in reports]
        )
        return table, confusion_figure(reports), latency_figure(reports)

    def refresh_breakers() -> pd.DataFrame:
        return pd.DataFrame(engine.intent.breaker_rows())

    @shows_errors
    def show_log(request: gr.Request) -> pd.DataFrame:
        return pd.DataFrame(
            [{"workflow": r.workflow, "model": r.selected_model, "provider": r.provider, "status": r.status,
              "est $": r.estimated_cost_usd, "actual $": r.actual_cost_usd, "est s": r.estimated_seconds,
              "actual s": r.actual_seconds, "prompt": r.prompt[:80]} for r in engine.intent.selections(100, owner=who.owner(request))]
        )

    working.change(lambda path: path is not None, working, has_image, api_visibility="private")
    classify.click(run_classify, [prompt, has_image, method], card, api_name="classify").then(
        refresh_breakers, None, breakers, api_visibility="private"
    )
    compare.click(run_compare, [prompt, has_image], compare_table, api_name="compare").then(
        refresh_breakers, None, breakers, api_visibility="private"
    )
    process.click(
        run_process, [prompt, working, quality], [card, output_image, output_video], api_name="process"
    ).then(refresh_breakers, None, breakers, api_visibility="private")
    save_reference.click(run_save_reference, [reference_image, reference_tag], references_note,
                         api_name="save_reference")
    correct.click(run_correct, [prompt, has_image, right_label], correction_note, api_name="correct_intent")
    retrain.click(run_retrain, None, correction_note, api_name="retrain_intent")
    evaluate.click(run_evaluate, [labelled, eval_methods, llm_limit], [eval_table, eval_confusion, eval_latency],
                   api_name="evaluate")
    refresh_log.click(show_log, None, log_table, api_name="intent_log")
    gr.Timer(5).tick(refresh_breakers, None, breakers, api_visibility="private", show_progress="hidden")
