"""Ken Burns camera moves over a still: eased zoom, pan and a slow orbit-like arc, rendered sub-pixel."""

from __future__ import annotations

import math
from typing import NamedTuple

import cv2
import numpy as np

from engine.providers.embedded.editing.pixels import RGBImage

__all__ = ["MAX_SECONDS", "camera_frames", "output_size"]

MAX_SECONDS = 10.0
Box = tuple[int, int, int, int]


class _View(NamedTuple):
    """A crop of the still: zoom (1 = the whole picture) and where it sits within the room left around it
    (0 = hard left/top, 0.5 = centred, 1 = hard right/bottom), so every crop stays inside the picture."""

    zoom: float
    x: float
    y: float


def output_size(height: int, width: int, max_side: int = 720) -> tuple[int, int]:
    """(height, width) no longer than `max_side`, both even (video encoders need even sizes)."""
    scale = min(1.0, max_side / max(height, width))
    return max(2, round(height * scale / 2) * 2), max(2, round(width * scale / 2) * 2)


def camera_frames(
    image: RGBImage,
    zoom: str = "in",
    pan: str = "none",
    orbit: bool = False,
    target: str = "center",
    face: Box | None = None,
    seconds: float = 3.0,
    fps: float = 24.0,
    strength: float = 1.0,
    max_side: float = 720,
) -> list[RGBImage]:
    """Frames of one eased camera move; with target 'face', a zoom in ends on `face` (x, y, w, h)."""
    height, width = image.shape[:2]
    out_h, out_w = output_size(height, width, int(max_side))
    count = max(2, round(min(seconds, MAX_SECONDS) * fps))
    path = _path(zoom, pan, orbit, face if target == "face" else None, width, height, max(0.1, strength))
    top = max(_view(path, e).zoom for e in np.linspace(0.0, 1.0, 9))
    levels = _pyramid(image, out_w, top)
    frames = []
    for i in range(count):
        eased = 0.5 - 0.5 * math.cos(math.pi * i / (count - 1))  # ease in and out: no jolt at either end
        frames.append(_render(levels, _view(path, eased), out_w, out_h))
    return frames


class _Path(NamedTuple):
    start: _View
    end: _View
    arc: float  # orbit: how far the centre bows upwards mid-move, in units of the free room


def _path(
    zoom: str, pan: str, orbit: bool, face: Box | None, width: int, height: int, strength: float
) -> _Path:
    push = 1.0 + 0.35 * strength
    if face is not None and zoom != "out":
        x, y, w, h = face
        # Fill about 45 % of the frame's height with the face, within reason.
        close = float(np.clip(0.45 * height / max(h, 1), push, 2.0))
        end = _View(close, _room((x + w / 2) / width, close), _room((y + h * 0.45) / height, close))
        return _Path(_View(1.0, 0.5, 0.5), end, 0.0)
    if orbit:
        return _Path(_View(1.1, 0.0, 0.5), _View(1.1 + 0.15 * strength, 1.0, 0.5), 0.3)
    start_zoom, end_zoom = {"in": (1.0, push), "out": (push, 1.0)}.get(zoom, (1.0 + 0.25 * strength,) * 2)
    dx, dy = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}.get(pan, (0, 0))
    reach = 0.45 if zoom in {"in", "out"} else 0.4  # centred at the zoomed-out end, 0.4 each way otherwise
    before, after = (0.5 - dx * reach, 0.5 - dy * reach), (0.5 + dx * reach, 0.5 + dy * reach)
    if zoom == "in":
        before = (0.5, 0.5)
    elif zoom == "out":
        after = (0.5, 0.5)
    return _Path(_View(start_zoom, *before), _View(end_zoom, *after), 0.0)


def _room(centre: float, zoom: float) -> float:
    """Where a crop centred at `centre` (a fraction of the picture) sits in the room `zoom` leaves."""
    return float(np.clip((centre - 0.5 / zoom) / (1.0 - 1.0 / zoom), 0.0, 1.0))


def _view(path: _Path, eased: float) -> _View:
    start, end = path.start, path.end
    zoom = start.zoom * (end.zoom / start.zoom) ** eased  # geometric: zoom speed looks constant
    x = start.x + (end.x - start.x) * eased
    y = start.y + (end.y - start.y) * eased - path.arc * math.sin(math.pi * eased)
    return _View(zoom, x, y)


def _pyramid(image: RGBImage, out_w: int, top_zoom: float) -> list[RGBImage]:
    """The still at widths out_w·√2^k up to the deepest zoom (and no larger than it is), each anti-aliased."""
    width = image.shape[1]
    levels: list[RGBImage] = []
    factor = 1.0
    while True:
        target = min(width, round(out_w * factor))
        if not levels or target > levels[-1].shape[1]:
            scale = target / width
            size = (target, max(1, round(image.shape[0] * scale)))
            method = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
            levels.append(np.asarray(cv2.resize(image, size, interpolation=method)))
        if factor >= top_zoom or target >= width:
            return levels
        factor *= math.sqrt(2.0)


def _render(levels: list[RGBImage], view: _View, out_w: int, out_h: int) -> RGBImage:
    """One frame: the view's crop from the smallest level with enough pixels, warped sub-pixel."""
    need = out_w * view.zoom
    source = next((level for level in levels if level.shape[1] >= need * 0.999), levels[-1])
    src_h, src_w = source.shape[:2]
    crop_w, crop_h = src_w / view.zoom, src_h / view.zoom
    x0 = (src_w - crop_w) * float(np.clip(view.x, 0.0, 1.0))
    y0 = (src_h - crop_h) * float(np.clip(view.y, 0.0, 1.0))
    sx, sy = out_w / crop_w, out_h / crop_h
    matrix = np.array([[sx, 0.0, sx * (0.5 - x0) - 0.5], [0.0, sy, sy * (0.5 - y0) - 0.5]], dtype=np.float64)
    return np.asarray(
        cv2.warpAffine(source, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    )
