"""Playground tab: talk to the configured text and speech models directly."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.providers.base import SpeechRequest, TextRequest
from studio.errors import shows_errors
from studio.identity import Identities

__all__ = ["build"]

MAX_PROMPT_CHARS = 4000


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="Prompt", lines=3, placeholder="Write a two-line poem about a lighthouse.")
            with gr.Row():
                max_tokens = gr.Slider(8, 512, value=128, step=8, label="Max new tokens")
                temperature = gr.Slider(0.0, 1.5, value=0.7, step=0.05, label="Temperature")
            generate = gr.Button("Generate text", variant="primary")
        with gr.Column(scale=4):
            output = gr.Textbox(label="Streamed answer", lines=10, interactive=False)

    with gr.Row():
        with gr.Column(scale=3):
            speech_text = gr.Textbox(label="Text to speak", lines=2, value="Welcome to the studio.")
            with gr.Row():
                voice = gr.Dropdown(["en-us", "en-gb", "en-gb-x-rp", "en-us+f2", "en-us+m3"], value="en-us", label="Voice")
                pitch = gr.Slider(0, 99, value=50, step=1, label="Pitch")
                rate = gr.Slider(80, 400, value=175, step=5, label="Words per minute")
            speak = gr.Button("Speak", variant="primary")
        with gr.Column(scale=4):
            audio = gr.Audio(label="Speech", type="filepath", interactive=False)

    @shows_errors
    def stream_text(text: str, tokens: float, temp: float, request: gr.Request) -> Iterator[str]:
        text = (text or "").strip()
        if not text:
            raise InvalidRequest("prompt", "write a prompt first")
        if len(text) > MAX_PROMPT_CHARS:
            raise InvalidRequest("prompt", f"keep it under {MAX_PROMPT_CHARS} characters")
        prompt_request = TextRequest.from_prompt(text, max_new_tokens=int(tokens), temperature=float(temp))
        answer = ""
        for piece in engine.playground.stream_text(prompt_request, owner=who.owner(request)):
            answer += piece
            yield answer

    @shows_errors
    def synthesize(text: str, voice_name: str, pitch_value: float, rate_value: float, request: gr.Request) -> str:
        text = (text or "").strip()
        if not text:
            raise InvalidRequest("text", "write something to speak")
        speech = SpeechRequest(text=text[:2000], voice=voice_name, pitch=int(pitch_value), rate=int(rate_value))
        return str(engine.playground.speak(speech, owner=who.owner(request)).path)

    generate.click(stream_text, [prompt, max_tokens, temperature], output, api_name="generate_text", concurrency_id="model")
    speak.click(synthesize, [speech_text, voice, pitch, rate], audio, api_name="generate_speech")
