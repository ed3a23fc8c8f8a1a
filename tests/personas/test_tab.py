"""The Persona templates tab builds on the engine's persona service and exposes its eight API endpoints."""

from __future__ import annotations

import gradio as gr

from studio import personas_tab
from studio.identity import Identities
from tests.personas.conftest import EngineFactory

API_NAMES = {"persona_save", "persona_list", "persona_image", "persona_transition", "persona_text", "persona_batch",
             "persona_export", "persona_import", "persona_use_batch_image", "feedback_persona_post",
             "feedback_persona_image"}


def test_persona_tab_builds_with_its_api_names(make_engine: EngineFactory) -> None:
    engine = make_engine()
    with gr.Blocks() as demo:
        personas_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    names = {fn.api_name for fn in demo.fns.values()}
    assert API_NAMES <= names
