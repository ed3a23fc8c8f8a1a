"""Upload widgets that hand the handler the uploaded file untouched, so that the engine's own
checks (type, size, dimensions from the header) answer every upload with a clear message.

`gr.Image` opens every upload with Pillow before the handler runs: a non-image, or an image
past Pillow's bomb limit, fails there with Gradio's "Could not preprocess input component…"
and a server path, and a large RGBA PNG is fully decoded to convert it. `ImageFile` looks and
works like `gr.Image` in the browser (upload, webcam, clipboard, preview) but passes the path
on as it is.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from gradio.data_classes import ImageData
from gradio.processing_utils import save_base64_to_cache

from engine.errors import InvalidRequest

__all__ = ["ImageFile", "read_optional", "read_upload"]


class ImageFile(gr.Image):
    """`gr.Image` whose value is the uploaded file's path, not opened on the server."""

    is_template = True  # the browser shows the ordinary Image component

    # No `__init__` of its own: Gradio sends the browser the values of the constructor's named
    # parameters, and a `**kwargs` signature sent none (the component then failed to render).
    # `preprocess` below never opens the file, whatever `type` says.

    def preprocess(self, payload: ImageData | None) -> str | None:  # type: ignore[override]
        if payload is None:
            return None
        if payload.path is None and payload.url and payload.url.startswith("data:"):
            return save_base64_to_cache(payload.url, self.GRADIO_CACHE)  # the bytes as sent, not decoded
        if payload.path is None:
            raise gr.Error("image: send the picture as an uploaded file", print_exception=False)
        return str(payload.path)


def read_upload(path: str | None, field: str) -> tuple[bytes, str]:
    """The bytes and original name of a required upload; `InvalidRequest` naming `field` when missing."""
    if not path:
        raise InvalidRequest(field, f"add your {field} first")
    file = Path(path)
    return file.read_bytes(), file.name


def read_optional(path: str | None) -> bytes | None:
    """The bytes of an optional upload, or None."""
    return Path(path).read_bytes() if path else None
