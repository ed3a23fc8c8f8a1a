"""The one place where project errors become messages for the person at the screen."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import gradio as gr

from engine.errors import StudioError

__all__ = ["shows_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def shows_errors(handler: Callable[P, R]) -> Callable[P, R]:
    """Turn a `StudioError` raised by the engine into a `gr.Error` with its user message."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except StudioError as exc:
            raise gr.Error(exc.user_message) from exc

    return wrapper
