"""One way to show a refusal: a warning for the person, a quiet failed event, progress beside the button."""

from __future__ import annotations

import gradio as gr
import pytest

from engine.errors import InvalidRequest
from studio import actions
from studio.errors import shows_errors


@shows_errors
def _refuse(text: str) -> str:
    raise InvalidRequest("text", "write something to speak")


@shows_errors
def _refuse_streaming(text: str):
    yield "partial"
    raise InvalidRequest("prompt", "write a prompt first")


def test_a_refusal_warns_and_fails_the_event_without_a_red_modal() -> None:
    with pytest.warns(UserWarning, match="write something to speak"):  # gr.Warning outside a request
        with pytest.raises(gr.Error) as caught:
            _refuse("")
    assert "write something to speak" in caught.value.message
    assert caught.value.visible is False and caught.value.print_exception is False

    stream = _refuse_streaming("")
    assert next(stream) == "partial"
    with pytest.warns(UserWarning, match="write a prompt first"), pytest.raises(gr.Error):
        next(stream)


def test_wire_puts_progress_beside_the_button_and_clears_it_after_a_refusal() -> None:
    with gr.Blocks() as demo:
        text = gr.Textbox()
        result = gr.Textbox(value="the last result")
        go = gr.Button("Go")
        status = actions.status_line()
        actions.wire(go.click, _refuse, text, result, status=status, api_name="go")
        other = gr.Button("Other")
        actions.wire(other.click, _refuse, text, result)
    main, cleanup, quiet = (demo.fns[i] for i in sorted(demo.fns))
    assert main.api_name == "go" and [c._id for c in main.show_progress_on] == [status._id]
    assert cleanup.trigger_only_on_failure and [c._id for c in cleanup.outputs] == [status._id]
    assert cleanup.fn() == ""
    assert quiet.show_progress == "hidden"  # no status line: nothing lies over the outputs
