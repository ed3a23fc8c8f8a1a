"""Refusals shown next to the action, never over its outputs.

`gr.Error` marks every output of the failed event with an "Error" overlay that stays until it is
closed. A handler wrapped by `refuses_inline(notice)` instead shows the engine's message as a
toast (`gr.Warning`) and in the `notice` component beside the button; its other outputs keep
their values and stay usable. Handlers return (or yield) dicts of component updates.
"""

from __future__ import annotations

import functools
import html
import inspect
import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from engine.errors import StudioError

__all__ = ["notice_html", "progress_html", "refuses_inline"]

log = logging.getLogger("studio.refusals")

_BOX = "padding:0.45rem 0.7rem;border-radius:8px;margin:0.2rem 0;font-size:0.95rem;"
_TONES = {
    "refused": "background:#fef2f2;border:1px solid #fca5a5;color:#7f1d1d;",
    "done": "background:#f0fdf4;border:1px solid #86efac;color:#14532d;",
    "working": "background:#eef2ff;border:1px solid #a5b4fc;color:#312e81;",
}


def notice_html(text: str, tone: str = "done") -> str:
    """A short message box; `tone` is refused, done or working (a word, not an emoji, says which)."""
    words = {"refused": "Not done: ", "done": "", "working": ""}[tone]
    return f'<div class="studio-notice studio-notice-{tone}" style="{_BOX}{_TONES[tone]}">{words}{html.escape(text)}</div>'


def progress_html(done: int, total: int, stage: str) -> str:
    """A progress bar with the stage's name beside it, e.g. 'composing face 3/4'."""
    return (f'<div class="studio-progress" style="{_BOX}{_TONES["working"]}">'
            f'<progress value="{done}" max="{max(total, 1)}" style="width:100%;height:0.8rem"></progress>'
            f'<div class="studio-progress-stage">{html.escape(stage)}</div></div>')  # fmt: skip


def refuses_inline(notice: gr.components.Component) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn a `StudioError` of the handler into a toast plus a message in `notice`; nothing else changes."""

    def refused(handler: Callable[..., Any], exc: StudioError) -> dict[Any, Any]:
        log.info("%s refused (%s): %s", handler.__name__, type(exc).__name__, exc.user_message)
        gr.Warning(exc.user_message)
        return {notice: notice_html(exc.user_message, "refused")}

    def wrap(handler: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isgeneratorfunction(handler):

            @functools.wraps(handler)
            def streaming(*args: Any, **kwargs: Any) -> Any:
                try:
                    yield from handler(*args, **kwargs)
                except StudioError as exc:
                    yield refused(handler, exc)

            return streaming

        @functools.wraps(handler)
        def plain(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except StudioError as exc:
                return refused(handler, exc)

        return plain

    return wrap
