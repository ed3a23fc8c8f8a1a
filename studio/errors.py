"""The one place where project errors become messages for the person at the screen."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from engine.errors import StudioError

__all__ = ["shows_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def shows_errors(handler: Callable[P, R]) -> Callable[P, R]:
    """Turn a `StudioError` raised by the engine into a `gr.Error` with its user message."""

    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                yield from handler(*args, **kwargs)  # type: ignore[misc]
            except StudioError as exc:
                raise gr.Error(exc.user_message) from exc

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except StudioError as exc:
            raise gr.Error(exc.user_message) from exc

    return wrapper
