"""The one place where project errors become messages for the person at the screen.

A refusal is shown one way everywhere: a warning toast with the engine's user message. The
event still fails (an invisible `gr.Error`), so `gradio_client` callers get the message as an
exception, and a `.failure()` step can tidy up. Wire the event with `studio.actions.wire` so the
failed event's red status never lies over its outputs or buttons.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from engine.errors import StudioError

__all__ = ["refusal", "shows_errors", "warns_on_refusal"]

log = logging.getLogger("studio.refusals")

P = ParamSpec("P")
R = TypeVar("R")


def shows_errors(handler: Callable[P, R]) -> Callable[P, R]:
    """Turn a `StudioError` (or a `gr.Error` of our own) into a warning toast and a quiet failed event."""

    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                yield from handler(*args, **kwargs)  # type: ignore[misc]
            except StudioError as exc:
                raise refusal(handler, exc.user_message, type(exc).__name__) from exc
            except gr.Error as exc:
                raise refusal(handler, exc.message, "refused") from exc

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except StudioError as exc:
            raise refusal(handler, exc.user_message, type(exc).__name__) from exc
        except gr.Error as exc:
            raise refusal(handler, exc.message, "refused") from exc

    return wrapper


def refusal(handler: Callable[..., Any], message: str, kind: str) -> gr.Error:
    """One log line, one warning toast; the returned error fails the event without a red modal or traceback."""
    log.info("%s refused (%s): %s", handler.__name__, kind, message)
    gr.Warning(message, title="Not done")
    return gr.Error(message, visible=False, print_exception=False)


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
