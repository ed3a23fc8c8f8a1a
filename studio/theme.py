"""The studio's look: one theme and a little CSS, passed to `launch()` (Gradio 6)."""

from __future__ import annotations

import gradio as gr

from studio.visibility import MEDIA_BOX_CSS

__all__ = ["STUDIO_CSS", "studio_theme"]

STUDIO_CSS = MEDIA_BOX_CSS + """
.studio-header h1 { margin-bottom: 0; letter-spacing: -0.02em; }
.studio-header p { margin-top: 0.25rem; opacity: 0.75; }
.stand-in-note { border-left: 4px solid #d97706; padding: 0.4rem 0.8rem; background: rgba(217,119,6,0.08); }
.metric-card { text-align: center; }
/* an action's progress and stage names, right under its button */
.action-status { min-height: 1.6rem; font-size: var(--text-sm); color: var(--body-text-color-subdued); }
.action-status:empty { min-height: 0; }
/* the name chip of a picture, video or audio sits above it, never over it */
label[data-testid="block-label"].float {
  position: static !important; margin: var(--block-label-margin) 0 0 var(--block-label-margin);
  display: inline-flex; max-width: calc(100% - 2 * var(--block-label-margin));
}
/* a gallery is as tall as its pictures: Gradio's fixed height left a band empty under one row */
.studio-gallery .grid-wrap.fixed-height { min-height: 0; }
/* narrow screens: every table column stays on screen; cells wrap instead */
@media (max-width: 640px) {
  .persona-gallery .grid-container { --grid-cols: 2 !important; }
  .table-wrap table { width: 100% !important; table-layout: fixed !important; }
  .table-wrap th, .table-wrap td {
    width: auto !important; min-width: 0 !important; max-width: none !important; padding: 2px !important;
  }
  .table-wrap th *, .table-wrap td *, .table-wrap [role="gridcell"] * {
    white-space: normal !important; overflow-wrap: break-word !important; font-size: 11px !important;
  }
  .table-wrap th .cell-wrap, .table-wrap th .header-content { padding: 0 !important; gap: 0 !important; }
  .table-wrap [role="gridcell"] .cell-wrap { padding: 4px !important; }
  .table-wrap .cell-menu-button { display: none !important; }
  /* persona tables: widths that keep words whole; the history's "from" repeats the row above's "to",
     and the batch's image id is for wide screens and the API (a phone picks by tapping the gallery) */
  .persona-history :is(th, td, [role="gridcell"]):nth-child(2),
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(7) { display: none !important; }
  .persona-history :is(th, td, [role="gridcell"]):nth-child(1) { width: 22% !important; }
  .persona-history :is(th, td, [role="gridcell"]):nth-child(3) { width: 31% !important; }
  .persona-history :is(th, td, [role="gridcell"]):nth-child(4) { width: 32% !important; }
  .persona-history :is(th, td, [role="gridcell"]):nth-child(5) { width: 15% !important; }
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(1) { width: 7% !important; }
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(2) { width: 21% !important; }
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(3) { width: 14% !important; }
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(4) { width: 20% !important; }
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(5),
  .persona-batch :is(th, td, [role="gridcell"]):nth-child(6) { width: 19% !important; }
}
"""


def studio_theme() -> gr.themes.Base:
    return gr.themes.Soft(
        primary_hue="indigo",
        secondary_hue="amber",
        neutral_hue="slate",
        font=["ui-sans-serif", "system-ui", "sans-serif"],  # no web fonts: the studio runs offline
    ).set(block_radius="12px", button_primary_background_fill="*primary_600")
