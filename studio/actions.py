"""Wiring an action the studio's one way: progress beside its button, refusals that block nothing.

```python
with gr.Row():
    go = gr.Button("Make it", variant="primary")
    go_status = actions.status_line()
actions.wire(go.click, make, [prompt], [result], status=go_status, api_name="make")
```

While the action runs, its status line shows Gradio's progress (the `desc` of each
`progress(...)` call, a stage name such as "Writing chapter 2 of 8…") or whatever the handler
yields into it. The red status of a failed event lands on that line, never on the outputs or
the buttons, and is cleared at once; the person reads the refusal in the warning toast that
`studio.errors.shows_errors` shows. Outputs keep their last content and stay usable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

__all__ = ["status_line", "wire"]


def status_line(value: str = "") -> gr.Markdown:
    """A one-line Markdown beside a button, for the action's progress and stage names."""
    return gr.Markdown(value, elem_classes=["action-status"], min_height=28, container=False, padding=False)


def _cleared() -> str:
    return ""


def wire(
    listener: Callable[..., Any],
    fn: Callable[..., Any],
    inputs: Any = None,
    outputs: Any = None,
    *,
    status: gr.Markdown | None = None,
    **kwargs: Any,
) -> Any:
    """Attach `fn` to `listener` (e.g. `button.click`) with progress on `status`, or hidden when None.

    Returns the event's dependency, so `.then(...)` chains as usual.
    """
    if status is None:
        kwargs.setdefault("show_progress", "hidden")
    else:
        kwargs["show_progress_on"] = status
    dependency = listener(fn, inputs, outputs, **kwargs)
    if status is not None:
        dependency.failure(_cleared, None, status, show_progress="hidden", api_visibility="private", queue=False)
    return dependency
