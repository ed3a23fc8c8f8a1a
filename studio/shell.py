"""`build_studio(engine)`: one Blocks app composed of one module per tab."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from engine.engine import Engine
from studio import (
    analytics_tab,
    intent_tab,
    onboarding_tab,
    personas_tab,
    playground_tab,
    story_tab,
    system_tab,
)
from studio.identity import Identities
from studio.served import deleted_files_answer_404, use_served_dir
from studio.theme import STUDIO_CSS, studio_theme

__all__ = ["build_studio", "configure_logging", "launch_options"]

HEADER = """
<div class="studio-header">
<h1>Studio</h1>
<p>A generative-media studio that runs on small bundled models, offline. Anything made without a real model is labelled as a stand-in.</p>
</div>
"""


def build_studio(engine: Engine) -> gr.Blocks:
    who = Identities(engine, use_served_dir(engine.settings.data_dir))  # before any component: Gradio reads its folder
    ttl = engine.settings.upload_cache_ttl_s
    delete_cache = (max(60, ttl // 4), ttl) if ttl else None  # uploads and served copies age out of Gradio's cache
    with gr.Blocks(title="Studio", analytics_enabled=False, delete_cache=delete_cache) as demo:
        gr.HTML(HEADER)
        with gr.Tabs():
            with gr.Tab("Onboarding & scenarios", id="onboarding"):
                onboarding_tab.build(engine, demo, who)
            with gr.Tab("Intent lab", id="intent"):
                intent_tab.build(engine, demo, who)
            with gr.Tab("Story", id="story"):
                story_tab.build(engine, demo, who)
            with gr.Tab("Persona templates", id="personas"):
                personas_tab.build(engine, demo, who)
            with gr.Tab("Playground", id="playground"):
                playground_tab.build(engine, demo, who)
            with gr.Tab("System", id="system"):
                system_tab.build(engine, demo, who)
            with gr.Tab("Analytics", id="analytics") as analytics:
                analytics_tab.build(engine, demo, analytics, who)
    return demo


def launch_options(engine: Engine) -> dict[str, Any]:
    """Keyword arguments for `demo.launch()` from settings (theme and CSS live here in Gradio 6)."""
    settings = engine.settings
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": settings.share,
        "auth": settings.accounts.verify if settings.accounts else None,
        "max_file_size": int(settings.max_upload_mb * 1024 * 1024),
        "theme": studio_theme(),
        "css": STUDIO_CSS,
        "allowed_paths": [str(engine.media.root)],
        "show_error": True,
        "app_kwargs": {"middleware": [deleted_files_answer_404([engine.media.root, engine.settings.data_dir / "served"])]},
    }


def configure_logging(level: int = logging.INFO) -> None:
    """One line per event: the UI's logger at `level` (a refusal is one INFO line, see
    `studio.errors`), everything else at WARNING; basicConfig leaves a configured root alone."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("studio").setLevel(level)
