"""The files the studio serves: Gradio's copies of outputs and the uploads it receives live in one
folder of ours, and a URL of a file deleted from there (or from the media store) answers 404.

Gradio answers 403 "File not allowed" for any missing file; for our own folders a missing file
means deleted, and the answer says so. Paths elsewhere keep Gradio's answer (no probing of what
exists on the server)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.middleware import Middleware

__all__ = ["deleted_files_answer_404", "use_served_dir"]

_OURS: dict[str, str] = {}
_PREFIX = "/gradio_api/file="
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def use_served_dir(data_dir: Path) -> Path:
    """Point Gradio's cache and upload folder (GRADIO_TEMP_DIR) at `<data_dir>/served` and empty it:
    copies left by an earlier run (a crash included) belong to nobody now. A folder the person set
    themselves is used as it is and not emptied."""
    current = os.environ.get("GRADIO_TEMP_DIR")
    if current and current != _OURS.get("dir"):
        return Path(current)
    path = (data_dir / "served").resolve()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["GRADIO_TEMP_DIR"] = _OURS["dir"] = str(path)
    return path


class _MissingIs404:
    def __init__(self, app: ASGIApp, roots: list[Path]) -> None:
        self.app = app
        self.roots = [r.resolve() for r in roots]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
            path: str = scope.get("path", "")
            if path.startswith(_PREFIX) and self._deleted(unquote(path[len(_PREFIX):])):
                await send({"type": "http.response.start", "status": 404,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})  # fmt: skip
                await send({"type": "http.response.body", "body": b"This file was deleted."})
                return
        await self.app(scope, receive, send)

    def _deleted(self, raw: str) -> bool:
        if "://" in raw:
            return False
        try:
            target = Path(raw).resolve()
        except (OSError, ValueError):
            return False
        return any(target.is_relative_to(root) for root in self.roots) and not target.exists()


def deleted_files_answer_404(roots: list[Path]) -> Middleware:
    """A middleware for `launch(app_kwargs={"middleware": [...]})`."""
    return Middleware(_MissingIs404, roots=roots)
