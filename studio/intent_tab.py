"""Intent Lab tab: classify a request, compare the three methods, process it (classify → select →
enhance → run), watch the circuit breakers, save @references, correct, and evaluate on labelled JSONL."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pandas as pd

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.intent import Classification, EvaluationReport, Method, ProcessResult, RunStatus, Workflow
from studio import feedback
from studio.errors import warns_on_refusal
from studio.identity import Identities
from studio.intent_plots import confusion_figure, latency_figure
from studio.uploads import ImageFile, read_optional, read_upload

__all__ = ["build"]

WORKFLOWS = [w.value for w in Workflow]
_STATUS_BADGE = {
    RunStatus.DONE: "Made",
    RunStatus.PLACEHOLDER: "Labelled stand-in",
    RunStatus.NEEDS_PROVIDER: "Needs a provider",
    RunStatus.FAILED: "Failed",
}
RESULT_LABEL = "Result"
SIMULATION_LABEL = "Result: SIMULATION (a face was in the photo, so the edit is labelled and signed)"


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
        lines.append(f"- Note: no saved reference for {', '.join('@' + n for n in plan.prompt.missing_mentions)}")
    if result.labelled:
        lines.append("- **Simulation**: a face was in the photo, so the result is labelled as a simulation "
                     "and carries signed provenance, like the onboarding outputs.")
    return "\n".join(lines)


def comparison_rows(rows: list[Classification]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"method": r.method.value, "workflow": r.workflow_type.value, "confidence": round(r.confidence, 3),
          "answered by": r.fallback_used.value if r.fallback_used else r.method.value, "ms": round(r.latency_ms, 1),
          "reasoning": r.reasoning} for r in rows]
    )


def evaluation_rows(reports: list[EvaluationReport]) -> pd.DataFrame:
    """Accuracy over each method's own answers; requests a fallback answered are counted apart."""
    return pd.DataFrame(
        [{"method": r.method, "requests": r.examples, "answered itself": r.answered,
          "accuracy (own answers)": round(r.accuracy, 3), "fallback rate": round(r.fallback_rate, 3),
          "p50 ms": round(r.p50_ms, 2), "p95 ms": round(r.p95_ms, 2)} for r in reports]
    )


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
            output_image = gr.Image(label=RESULT_LABEL, interactive=False, height=320, visible=False)
            output_video = gr.Video(label=RESULT_LABEL, interactive=False, height=320, visible=False)
            compare_table = gr.Dataframe(label="Side by side", interactive=False, wrap=True, visible=False)
            rated = gr.State(None)  # the shown classification or run, what the rating row rates
            rating = feedback.attach(engine, rated, who, api_name="feedback_intent", label="Rate this result",
                                     visible=False, elem_id="rate-intent")  # fmt: skip
    with gr.Accordion("Circuit breakers (remote providers)", open=False):
        breakers_note = gr.Markdown()
        breakers = gr.Dataframe(interactive=False, wrap=True, visible=False)
    with gr.Accordion("Reference images for @mentions", open=False), gr.Row():
        reference_image = ImageFile(type="filepath", label="Reference image", height=180)
        with gr.Column():
            reference_tag = gr.Textbox(label="Tag", placeholder="@sarah")
            save_reference = gr.Button("Save reference")
            references_note = gr.Markdown()
    with gr.Accordion("This was wrong", open=False):
        with gr.Row():
            right_label = gr.Dropdown(WORKFLOWS, value=None, label="The right workflow (pick one)")
            correct = gr.Button("Save correction")
            retrain = gr.Button("Retrain the embedding head from corrections")
        correction_note = gr.Markdown()
    with gr.Accordion("Evaluate on labelled requests", open=False):
        gr.Markdown('Upload JSONL lines `{"prompt": "...", "has_image": false, "workflow": "image_editing"}` '
                    '(`"label"` works as well as `"workflow"`), or leave it empty for the bundled held-out set '
                    "(never trained on). Accuracy counts each method's own answers; requests a fallback "
                    "answered show in its fallback rate.")
        with gr.Row():
            labelled = gr.File(label="Labelled JSONL (optional)", file_types=[".jsonl", ".json", ".txt"])
            eval_methods = gr.CheckboxGroup([m.value for m in Method], value=["rules", "embedding"], label="Methods")
            llm_limit = gr.Slider(5, 216, value=27, step=1, label="Requests sent to the LLM (a sample spread over the labels)")
            evaluate = gr.Button("Evaluate")
        eval_note = gr.Markdown()
        eval_table = gr.Dataframe(label="Accuracy and latency", interactive=False, wrap=True, visible=False)
        eval_confusion = gr.Plot(label="Confusion matrices", visible=False)
        eval_latency = gr.Plot(label="Latency distributions", visible=False)
    with gr.Accordion("Selections and runs log", open=False):
        log_note = gr.Markdown()
        log_table = gr.Dataframe(interactive=False, wrap=True, visible=False)
        refresh_log = gr.Button("Refresh")

    result_outputs = [card, output_image, output_video, compare_table, rated, rating]

    def result_area(text: str, table: pd.DataFrame | None = None, result: ProcessResult | None = None,
                    generation_id: str | None = None) -> dict:  # fmt: skip
        """Every output of the result area, replaced together: no earlier result stays beside a new one.
        A single answer or run (`generation_id`) gets the rating row; a comparison or a refusal does not."""
        path = result.output_path if result is not None else None
        kind = result.output_kind if result is not None else None
        label = SIMULATION_LABEL if result is not None and result.labelled else RESULT_LABEL
        return {
            card: text,
            output_image: gr.update(value=path if kind == "image" else None, visible=kind == "image", label=label),
            output_video: gr.update(value=path if kind == "video" else None, visible=kind == "video", label=label),
            compare_table: gr.update(value=table, visible=table is not None and not table.empty),
            rated: generation_id,
            rating: gr.update(visible=generation_id is not None),
        }

    def refused_result(message: str) -> dict:
        return result_area(f"**Not done:** {message}")

    @warns_on_refusal(refused_result)
    def run_classify(text: str, image: bool, chosen: str, request: gr.Request) -> dict:
        answer = engine.intent.classify(text, image, chosen, owner=who.owner(request))
        return result_area(_classification_card(answer), generation_id=answer.generation_id)

    @warns_on_refusal(refused_result)
    def run_compare(text: str, image: bool, request: gr.Request) -> dict:
        rows = engine.intent.compare(text, image, owner=who.owner(request))
        picks = ", ".join(f"{r.method.value}: {r.workflow_type.value}" for r in rows)
        return result_area(f"### Compared for “{text[:80]}”\n{picks}", comparison_rows(rows))

    @warns_on_refusal(refused_result)
    def run_process(text: str, image: str | None, level: str, request: gr.Request,
                    progress: gr.Progress = gr.Progress()) -> dict:  # fmt: skip
        progress(0.1, desc="Classifying, selecting a model, enhancing the prompt…")
        owner = who.owner(request)
        who.received(owner, [image])
        result = engine.intent.process(text, read_optional(image), level, owner=owner)
        progress(1.0, desc="Done")
        return result_area(_process_card(result), result=result, generation_id=result.generation_id)

    @warns_on_refusal(lambda message: f"**Not saved:** {message}")
    def run_save_reference(image: str | None, tag: str, request: gr.Request) -> str:
        if not image:
            raise InvalidRequest("image", "choose the reference image first")
        owner = who.owner(request)
        who.received(owner, [image])
        data, _ = read_upload(image, "reference image")
        name = engine.intent.save_reference(tag, data, owner=owner)
        saved = ", ".join(f"@{t}" for t in engine.intent.references(owner=owner))
        return f"Saved **@{name}**. Your references: {saved}"

    @warns_on_refusal(lambda message: {correction_note: f"**Not saved:** {message}"})
    def run_correct(text: str, image: bool, label: str | None, request: gr.Request) -> dict:
        engine.intent.correct(text, image, label, owner=who.owner(request))
        return {correction_note: f"Saved: “{text[:60]}” is **{label}**. Retrain to use it.", right_label: None}

    @warns_on_refusal(lambda message: f"**Not retrained:** {message}")
    def run_retrain() -> str:
        return f"Retrained the embedding head with {engine.intent.retrain()} correction(s)."

    def evaluation_area(note: str, reports: list[EvaluationReport] | None = None) -> dict:
        shown = bool(reports)
        return {
            eval_note: note,
            eval_table: gr.update(value=evaluation_rows(reports) if reports else None, visible=shown),
            eval_confusion: gr.update(value=confusion_figure(reports) if reports else None, visible=shown),
            eval_latency: gr.update(value=latency_figure(reports) if reports else None, visible=shown),
        }

    @warns_on_refusal(lambda message: evaluation_area(f"**Not evaluated:** {message}"))
    def run_evaluate(upload: str | None, methods: list[str], limit: float, request: gr.Request,
                     progress: gr.Progress = gr.Progress()) -> dict:  # fmt: skip
        owner = who.owner(request)
        who.received(owner, [upload])
        if not methods:
            raise InvalidRequest("methods", "pick at least one method to evaluate")
        path = Path(upload) if upload else None
        reports = []
        for step, chosen in enumerate(methods):
            progress(step / len(methods), desc=f"Classifying every request with {chosen}…")
            cap = int(limit) if chosen == Method.LLM.value else None
            reports.append(engine.intent.evaluate(chosen, path, limit=cap, owner=owner))
        return evaluation_area(f"Evaluated {', '.join(methods)}.", reports)

    def refresh_breakers() -> dict:
        rows = engine.intent.breaker_rows()
        note = "" if rows else "No remote text provider is configured, so there are no circuits to watch."
        return {breakers_note: note, breakers: gr.update(value=pd.DataFrame(rows) if rows else None, visible=bool(rows))}

    @warns_on_refusal(lambda message: {log_note: f"**Not shown:** {message}", log_table: gr.update(visible=False)})
    def show_log(request: gr.Request) -> dict:
        rows = [{"workflow": r.workflow, "model": r.selected_model, "provider": r.provider, "status": r.status,
                 "est $": r.estimated_cost_usd, "actual $": r.actual_cost_usd, "est s": r.estimated_seconds,
                 "actual s": r.actual_seconds, "prompt": r.prompt[:80]}
                for r in engine.intent.selections(100, owner=who.owner(request))]
        note = "" if rows else "Nothing planned or run yet."
        return {log_note: note, log_table: gr.update(value=pd.DataFrame(rows) if rows else None, visible=bool(rows))}

    breaker_outputs = [breakers_note, breakers]
    working.change(lambda path: path is not None, working, has_image, api_visibility="private")
    classify.click(run_classify, [prompt, has_image, method], result_outputs, api_name="classify").then(
        refresh_breakers, None, breaker_outputs, api_visibility="private"
    )
    compare.click(run_compare, [prompt, has_image], result_outputs, api_name="compare").then(
        refresh_breakers, None, breaker_outputs, api_visibility="private"
    )
    process.click(run_process, [prompt, working, quality], result_outputs, api_name="process").then(
        refresh_breakers, None, breaker_outputs, api_visibility="private"
    )
    save_reference.click(run_save_reference, [reference_image, reference_tag], references_note,
                         api_name="save_reference")
    correct.click(run_correct, [prompt, has_image, right_label], [correction_note, right_label],
                  api_name="correct_intent")
    retrain.click(run_retrain, None, correction_note, api_name="retrain_intent")
    evaluate.click(run_evaluate, [labelled, eval_methods, llm_limit], [eval_note, eval_table, eval_confusion, eval_latency],
                   api_name="evaluate")
    refresh_log.click(show_log, None, [log_note, log_table], api_name="intent_log")
    demo.load(refresh_breakers, None, breaker_outputs, api_visibility="private")
    gr.Timer(5).tick(refresh_breakers, None, breaker_outputs, api_visibility="private", show_progress="hidden")
