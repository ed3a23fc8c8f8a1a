"""Boxes that show themselves when their media arrive: a streamed (generator) course step never
sends a "show" or "hide" for its scene, talking photo, call or narration, only their values.

Why: Gradio 6.31's page keeps the props of a component that is not mounted yet and applies them a
tick after it mounts, and a component first shown mid-stream (a rating row) re-renders the tree.
When a busy server sends a step's yields together, such a late apply can land after the newer
update, so a shown scene stayed hidden (seen in CI twice: first with `visible=False`, then with a
hiding CSS class that an update removed; reproduced with a busy server in 8 of 12 page loads).
Here a box is hidden by CSS while it holds no media element (`:has()`), so what shows is decided
by the value alone, and every box stays mounted."""

from __future__ import annotations

__all__ = ["MEDIA_BOX_CSS", "WITH_AUDIO", "WITH_IMAGE", "WITH_VIDEO"]

WITH_IMAGE = "studio-with-image"  # shown only while it holds a picture
WITH_VIDEO = "studio-with-video"  # shown only while it holds a video
WITH_AUDIO = "studio-with-audio"  # shown only while it holds a sound

MEDIA_BOX_CSS = (
    f".{WITH_IMAGE}:not(:has(img)), .{WITH_VIDEO}:not(:has(video)), .{WITH_AUDIO}:not(:has(audio))"
    " { display: none !important; }"
)
