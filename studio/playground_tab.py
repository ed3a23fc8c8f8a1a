"""Playground tab: talk to the configured text and speech models directly."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest, StudioError
from engine.providers.base import SpeechRequest, TextRequest
from studio import actions, feedback
from studio.errors import shows_errors
from studio.identity import Identities

__all__ = ["build"]

MAX_PROMPT_CHARS = 4000
VOICE_CANDIDATES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-us+f2", "en-us+m3", "en-us+klatt")


def _voices(engine: Engine) -> list[str]:
    """The candidate voices the speech adapter really speaks with, checked once when the tab is built."""
    try:
        return engine.models.speech.working_voices(VOICE_CANDIDATES) or ["en-us"]
    except StudioError:
        return ["en-us"]


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="Prompt", lines=3, placeholder="Write a two-line poem about a lighthouse.")
            with gr.Row():
                max_tokens = gr.Slider(8, 512, value=128, step=8, label="Max new tokens")
                temperature = gr.Slider(0.0, 1.5, value=0.7, step=0.05, label="Temperature")
            generate = gr.Button("Generate text", variant="primary")
            generate_status = actions.status_line()
        with gr.Column(scale=4):
            output = gr.Textbox(label="Streamed answer", lines=10, interactive=False)
            route_note = gr.Markdown("")
            text_id = gr.State(None)
            feedback.attach(engine, text_id, who, api_name="feedback", label="Rate this answer")

    with gr.Row():
        with gr.Column(scale=3):
            speech_text = gr.Textbox(label="Text to speak", lines=2, value="Welcome to the studio.")
            with gr.Row():
                voices = _voices(engine)
                voice = gr.Dropdown(voices, value=voices[0], label="Voice")
                pitch = gr.Slider(0, 99, value=50, step=1, label="Pitch")
                rate = gr.Slider(80, 400, value=175, step=5, label="Words per minute")
            speak = gr.Button("Speak", variant="primary")
            speak_status = actions.status_line()
        with gr.Column(scale=4):
            audio = gr.Audio(label="Speech", type="filepath", interactive=False)
            speech_id = gr.State(None)
            feedback.attach(engine, speech_id, who, api_name="feedback_speech", label="Rate this speech")

    @shows_errors
    def stream_text(
        text: str, tokens: float, temp: float, request: gr.Request
    ) -> Iterator[tuple[str, str | None, str, str]]:
        text = (text or "").strip()
        if not text:
            raise InvalidRequest("prompt", "write a prompt first")
        if len(text) > MAX_PROMPT_CHARS:
            raise InvalidRequest("prompt", f"keep it under {MAX_PROMPT_CHARS} characters")
        prompt = TextRequest.from_prompt(text, max_new_tokens=int(tokens), temperature=float(temp))
        yield "", None, "", "Choosing a model…"  # the last answer and its rating go at once
        stream = engine.playground.stream_text(prompt, owner=who.owner(request))
        note = f"Routed to **{stream.decision.chosen}** ({stream.decision.tier}): " + "; ".join(stream.decision.reasons)
        yield "", None, note, f"Loading {stream.decision.chosen} and writing…"
        answer = ""
        for piece in stream:
            answer += piece
            yield answer, stream.generation_id, note, f"Writing… {len(answer.split())} words"
        yield answer, stream.generation_id, note, ""

    @shows_errors
    def synthesize(
        text: str, voice_name: str, pitch_value: float, rate_value: float, request: gr.Request,
        progress: gr.Progress = gr.Progress(),
    ) -> tuple[str, str]:
        text = (text or "").strip()
        if not text:
            raise InvalidRequest("text", "write something to speak")
        progress(0.1, desc=f"Speaking with {voice_name}…")
        speech = SpeechRequest(text=text[:2000], voice=voice_name, pitch=int(pitch_value), rate=int(rate_value))
        stored, generation_id = engine.playground.speak(speech, owner=who.owner(request))
        return str(stored.path), generation_id

    actions.wire(generate.click, stream_text, [prompt, max_tokens, temperature],
                 [output, text_id, route_note, generate_status], status=generate_status,
                 api_name="generate_text", concurrency_id="model")
    actions.wire(speak.click, synthesize, [speech_text, voice, pitch, rate], [audio, speech_id], status=speak_status,
                 api_name="generate_speech")
