"""A labelled storyboard card in place of text-to-image when no image model is configured.

Nothing here pretends to be generated art: every card carries a banner saying it is a
placeholder, and every result has `is_placeholder=True`. The palette and the layout
are derived from a hash of (seed, prompt), so the same request gives the same card.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from engine.providers.base import ImageModel, ImageRequest, ImageResult
from engine.providers.embedded.renderer import DeviceRenderer
from engine.providers.media_codec import png_bytes
from engine.settings import Settings

__all__ = ["BANNER", "NOTE", "StoryboardImageModel", "render_card"]

BANNER = "No image model configured — storyboard placeholder"
NOTE = "Storyboard placeholder drawn by the embedded adapter: no text-to-image model is configured."
_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")

RGB = tuple[int, int, int]


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """DejaVu when the system has it, else Pillow's built-in scalable font."""
    try:
        return ImageFont.truetype(_FONT_FILES[bold], size)
    except OSError:
        return ImageFont.load_default(size)


def _palette(request: ImageRequest) -> tuple[RGB, RGB, RGB, RGB]:
    """Background top, background bottom, card and accent colours from a hash of the request."""
    digest = hashlib.sha256(f"{request.seed}|{request.title}|{request.prompt}".encode()).digest()
    hue = digest[0] / 255.0
    accent_hue = (hue + 0.08 + digest[1] / 255.0 * 0.12) % 1.0

    def rgb(h: float, lightness: float, saturation: float) -> RGB:
        r, g, b = colorsys.hls_to_rgb(h, lightness, saturation)
        return (round(r * 255), round(g * 255), round(b * 255))

    return rgb(hue, 0.30, 0.45), rgb(hue, 0.16, 0.50), rgb(hue, 0.96, 0.25), rgb(accent_hue, 0.50, 0.70)


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont, width: int
) -> list[str]:
    """Greedy word wrap to `width` pixels."""
    average = max(1.0, draw.textlength("abcdefghijklmnopqrstuvwxyz", font=font) / 26)
    columns = max(3, int(width / average))
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, columns) or [""])
    return lines


def _fit_banner(draw: ImageDraw.ImageDraw, width: int, start: int) -> tuple[str, int]:
    """The banner text (one line, else two) and the largest font size at which it fits `width`."""
    for text in (BANNER, BANNER.replace(" — ", "\n")):
        for size in range(start, 5, -1):
            font = _font(size, bold=True)
            if max(draw.textlength(line, font=font) for line in text.splitlines()) <= width:
                return text, size
    return BANNER.replace(" — ", "\n"), 6


@lru_cache(maxsize=16)
def _banner_strip(width: int, unit: int) -> Image.Image:
    """The placeholder banner across the top of a card `width` wide; drawn once per size (it
    does not depend on the request), pasted into every card. Treat the result as read-only."""
    banner_h = max(18, unit // 12)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    banner, size = _fit_banner(measure, width - 8, max(9, banner_h // 2))
    banner_h = max(banner_h, (banner.count("\n") + 1) * int(size * 1.25) + 8)
    strip = Image.new("RGB", (width, banner_h + 1), (20, 20, 24))
    ImageDraw.Draw(strip).multiline_text(
        (width / 2, banner_h / 2),
        banner,
        font=_font(size, bold=True),
        fill=(255, 214, 102),
        anchor="mm",
        align="center",
    )
    return strip


def gradient(top: RGB, bottom: RGB, width: int, height: int) -> Image.Image:
    """A vertical gradient from `top` to `bottom`: one column of row colours (numpy), stretched
    across by Pillow's resize, which releases the GIL, so cards drawn on several workers at once
    run in parallel (a full-size numpy copy did not, and took most of a card's drawing time)."""
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    rows = np.rint(np.asarray(top, np.float32) + (np.asarray(bottom, np.float32) - np.asarray(top, np.float32)) * t)
    column = Image.fromarray(np.ascontiguousarray(rows.astype(np.uint8)[:, None, :]))
    return column.resize((width, height), Image.Resampling.NEAREST)


def draw_card(request: ImageRequest) -> Image.Image:
    """Render the storyboard card for one request."""
    width, height = request.width or 512, request.height or 512
    top, bottom, paper, accent = _palette(request)
    image = gradient(top, bottom, width, height)
    draw = ImageDraw.Draw(image)

    unit = min(width, height)
    margin = max(8, unit // 16)
    strip = _banner_strip(width, unit)
    image.paste(strip, (0, 0))
    banner_h = strip.height - 1

    card = [margin, banner_h + margin, width - margin, height - margin]
    draw.rounded_rectangle([c + 4 for c in card], radius=margin // 2, fill=(0, 0, 0))  # shadow
    draw.rounded_rectangle(card, radius=margin // 2, fill=paper, outline=accent, width=max(2, unit // 128))
    inner = margin // 2 + max(6, unit // 40)
    x, y = card[0] + inner, card[1] + inner
    text_w = card[2] - card[0] - 2 * inner

    title_font, body_font = _font(max(10, unit // 14), bold=True), _font(max(9, unit // 24))
    if request.title:
        for line in _wrap(draw, request.title, title_font, text_w)[:2]:
            draw.text((x, y), line, font=title_font, fill=accent)
            y += int(title_font.size * 1.2) if hasattr(title_font, "size") else 14
        draw.line([(x, y + 4), (x + text_w // 3, y + 4)], fill=accent, width=max(2, unit // 160))
        y += max(10, unit // 32)
    step = int(body_font.size * 1.35) if hasattr(body_font, "size") else 12
    lines = _wrap(draw, request.prompt, body_font, text_w)
    room = max(1, (card[3] - inner - step - y) // step)
    if len(lines) > room:
        lines = [*lines[: room - 1], lines[room - 1].rstrip(" .,;") + " …"]
    for line in lines:
        draw.text((x, y), line, font=body_font, fill=(40, 40, 48))
        y += step
    footer = f"{width}×{height}" + (f" · seed {request.seed}" if request.seed is not None else "")
    footer_font = _font(max(8, unit // 40))
    if draw.textlength(footer, font=footer_font) <= text_w:
        draw.text(
            (card[2] - inner, card[3] - inner), footer, font=footer_font, fill=(120, 120, 128), anchor="rd"
        )
    return image


def render_card(payload: dict[str, Any]) -> bytes:
    """Draw the card of one request and encode it as PNG (in the device's renderer process)."""
    return png_bytes(draw_card(ImageRequest.model_validate(payload)))


class StoryboardImageModel(ImageModel):
    """Draws labelled placeholder cards; never claims to be a real image model. One per device,
    drawing in worker processes of its own (`DeviceRenderer`, up to one per CPU worker thread),
    so devices, and the worker threads of one device, draw in parallel."""

    provider = "embedded"
    features = frozenset({"placeholder", "batch", "deterministic"})

    def __init__(self, settings: Settings, device: str = "cpu") -> None:
        self._settings = settings
        self._renderer = DeviceRenderer(device, processes=settings.cpu_workers)

    @property
    def model_name(self) -> str:
        return "storyboard-placeholder"

    def generate(self, requests: Sequence[ImageRequest]) -> list[ImageResult]:
        results = []
        for request in requests:
            png = self._renderer.run(render_card, request.model_dump())
            # Image.open reads the header only: the pixels are decoded if a caller looks at them,
            # and a caller that stores the card stores `png` as it is
            results.append(ImageResult(image=Image.open(io.BytesIO(png)), png=png, is_placeholder=True, note=NOTE))
        return results

    def close(self) -> None:
        self._renderer.close()
