"""The one place where project errors become messages for the person at the screen."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from engine.errors import StudioError

__all__ = ["shows_errors", "warns_on_refusal"]

log = logging.getLogger("studio.refusals")

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
                raise _refused(handler, exc.user_message, type(exc).__name__) from exc
            except gr.Error as exc:
                raise _quiet(handler, exc)  # noqa: B904 (the same error, re-raised)

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except StudioError as exc:
            raise _refused(handler, exc.user_message, type(exc).__name__) from exc
        except gr.Error as exc:
            raise _quiet(handler, exc)  # noqa: B904 (the same error, re-raised)

    return wrapper


def _refused(handler: Callable[..., Any], message: str, kind: str) -> gr.Error:
    """A refusal is one log line; Gradio shows its message without printing a traceback."""
    log.info("%s refused (%s): %s", handler.__name__, kind, message)
    return gr.Error(message, print_exception=False)


def _quiet(handler: Callable[..., Any], exc: gr.Error) -> gr.Error:
    log.info("%s refused: %s", handler.__name__, exc.message)
    exc.print_exception = False
    return exc


def warns_on_refusal(on_refusal: Callable[[str], R]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Show a refusal as a toast (`gr.Warning`) and return `on_refusal(message)` for the outputs,
    so nothing covers them and every button stays usable (no `gr.Error` overlay)."""

    def decorate(handler: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(handler)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return handler(*args, **kwargs)
            except StudioError as exc:
                log.info("%s refused (%s): %s", handler.__name__, type(exc).__name__, exc.user_message)
                gr.Warning(exc.user_message)
                return on_refusal(exc.user_message)

        return wrapper

    return decorate
