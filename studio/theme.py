"""The studio's look: one theme and a little CSS, passed to `launch()` (Gradio 6)."""

from __future__ import annotations

import gradio as gr

__all__ = ["studio_theme", "STUDIO_CSS"]

STUDIO_CSS = """
.studio-header h1 { margin-bottom: 0; letter-spacing: -0.02em; }
.studio-header p { margin-top: 0.25rem; opacity: 0.75; }
.stand-in-note { border-left: 4px solid #d97706; padding: 0.4rem 0.8rem; background: rgba(217,119,6,0.08); }
.metric-card { text-align: center; }
"""


def studio_theme() -> gr.themes.Base:
    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="amber",
        neutral_hue="slate",
        font=["ui-sans-serif", "system-ui", "sans-serif"],  # no web fonts: the studio runs offline
    ).set(block_radius="12px", button_primary_background_fill="*primary_600")
