"""A reusable feedback widget: rating 1-5, an optional comment, and Submit, for one output.

A tab keeps the generation id of its latest output in a `gr.State` (the engine returns it:
`engine.routed_text.generate(...).generation_id`, `RoutedStream.generation_id`, or the
`CallContext(generation_id=...)` a direct gateway call was given) and attaches the widget under
the output:

```python
generation_id = gr.State(None)
output = gr.Textbox(...)
feedback.attach(engine, generation_id, who, api_name="feedback_story")   # under the output
button.click(handler, inputs, [output, generation_id])                    # the handler returns the id
```

`attach` returns the widget's group, so that a tab can show it only beside an output that is
shown (`visible=False` to start hidden, then `gr.update(visible=...)` on the group).

The first widget of the app uses `api_name="feedback"` (the endpoint takes the generation id,
the rating and the comment, so it rates any output); later ones need their own api_name.
The widget refuses until an output exists, and a person can rate only their own outputs.
Several outputs under one widget (a gallery): keep their ids in a list, and set the widget's
state to the id of the one selected (`gallery.select`); `missing` then says "select one first".
When the generation id changes (a new output), the rating, comment and thanks are cleared.
"""

from __future__ import annotations

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from studio.errors import shows_errors
from studio.identity import Identities

__all__ = ["attach"]

RATINGS = [("1 ★ bad", 1), ("2 ★", 2), ("3 ★", 3), ("4 ★", 4), ("5 ★ great", 5)]
COMMENT_MIN = 300  # px: the comment and its button, side by side, need this much
SEND_MIN = 130  # px: "Send feedback" on one line


def attach(
    engine: Engine, generation_id: gr.State, who: Identities, *, api_name: str = "feedback", label: str = "Rate this output",
    missing: str = "make an output first, then rate it", visible: bool = True, elem_id: str | None = None,
) -> gr.Group:
    """Build the rating row under the current Blocks context, wire it to `generation_id`; its group.
    `missing` is what a person is told when there is nothing to rate yet."""
    with gr.Group(elem_classes=["studio-feedback"], visible=visible, elem_id=elem_id) as group:
        # one line where there is room; in a narrow column (the Story tab's gallery at 1400 px, a phone)
        # the comment and its button move under the stars together, the button beside its comment
        with gr.Row(equal_height=True):
            rating = gr.Radio(RATINGS, label=label, value=None, scale=3, min_width=COMMENT_MIN)
            with gr.Column(scale=4, min_width=COMMENT_MIN), gr.Row(equal_height=True):
                comment = gr.Textbox(label="Comment (optional)", lines=1, max_lines=3, scale=3, min_width=150)
                submit = gr.Button("Send feedback", scale=1, min_width=SEND_MIN, size="sm")
        status = gr.Markdown("")

    @shows_errors
    def send(output_id: str | None, stars: int | None, text: str, request: gr.Request) -> str:
        if not output_id:
            raise InvalidRequest("generation_id", missing)
        if stars is None:
            raise InvalidRequest("rating", "choose 1 to 5 stars")
        saved = engine.analytics.feedback(str(output_id), int(stars), text, owner=who.owner(request))
        return f"Thanks — rated {saved.rating}/5."

    def cleared() -> tuple[None, str, str]:
        return None, "", ""

    submit.click(send, [generation_id, rating, comment], status, api_name=api_name, show_progress="hidden")
    # a new output gets a fresh rating row: the stars and thanks given to the last one do not stay
    generation_id.change(cleared, None, [rating, comment, status], show_progress="hidden", api_visibility="private")
    return group
