"""Rendered scene backgrounds, and the person's face placed into them.

Four scenes, drawn with OpenCV at 512x384: a news broadcast frame, a wanted notice, an
investment advert and an emergency video-call screen. Each has a head-and-shoulders
figure whose head is where the face goes. Placement: a similarity transform maps the
photo's eyes and mouth onto the slot, the face is colour-matched to the scene's light
(Reinhard transfer, partly blended), then Poisson-blended (seamless clone) over the
figure's head; captions are drawn on top, and the simulation label goes in a strip below the picture
(`label_strip`), where it covers nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from engine import imaging
from engine.errors import InvalidRequest
from engine.scenarios.provenance import label_strip

__all__ = ["HEIGHT", "SCENES", "WIDTH", "Placed", "ascii_text", "compose_scene"]

WIDTH, HEIGHT = 512, 384
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_BOLD = cv2.FONT_HERSHEY_DUPLEX


@dataclass(frozen=True)
class Slot:
    cx: float  # face centre x
    cy: float  # face centre y (between eyes and mouth)
    size: float  # side of the align_face square that holds the face
    clothing: tuple[int, int, int]
    tint: float  # how far the face takes the scene's colours (0..1)


@dataclass(frozen=True)
class Placed:
    image: np.ndarray  # RGB, HEIGHT x WIDTH, labelled
    landmarks: np.ndarray  # the face's landmarks in `image`


def ascii_text(text: str) -> str:
    """OpenCV's fonts draw ASCII only: accents dropped, anything else becomes '?'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in plain)


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    t = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None, None]
    band = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.repeat(band, WIDTH, axis=1).astype(np.uint8)


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color: tuple[int, int, int],
          thickness: int = 1, font: int = _FONT, max_width: int | None = None) -> None:
    text = ascii_text(text)
    if max_width:
        while cv2.getTextSize(text, font, scale, thickness)[0][0] > max_width and scale > 0.25:
            scale *= 0.92
    cv2.putText(img, text, org, font, scale, color, thickness, cv2.LINE_AA)


def _news_bg() -> np.ndarray:
    img = _gradient((18, 40, 96), (6, 14, 40))
    for x in range(260, WIDTH, 28):  # studio skyline screens
        cv2.rectangle(img, (x, 40), (x + 20, 200), (40, 80, 150), -1)
    return img


def _news_fg(img: np.ndarray, text: dict[str, str]) -> None:
    cv2.rectangle(img, (14, 40), (70, 64), (210, 20, 30), -1)
    _text(img, "LIVE", (21, 59), 0.6, (255, 255, 255), 2, _BOLD)
    _text(img, "STUDIO NEWS 24", (WIDTH - 190, 33), 0.55, (230, 230, 255), 1, _BOLD)
    cv2.rectangle(img, (0, 262), (WIDTH, 300), (200, 20, 30), -1)
    _text(img, text["headline"], (10, 288), 0.6, (255, 255, 255), 2, _BOLD, WIDTH - 20)
    cv2.rectangle(img, (0, 300), (WIDTH, 330), (245, 245, 245), -1)
    _text(img, text["ticker"], (10, 321), 0.45, (20, 20, 40), 1, _FONT, WIDTH - 20)


def _wanted_bg() -> np.ndarray:
    rng = np.random.default_rng(7)
    img = np.full((HEIGHT, WIDTH, 3), (222, 200, 160), np.uint8)
    noise = rng.normal(0, 8, (HEIGHT, WIDTH, 1))
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    cv2.rectangle(img, (150, 70), (362, 296), (90, 70, 50), 3)
    return img


def _wanted_fg(img: np.ndarray, text: dict[str, str]) -> None:
    sepia = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)
    img[:] = np.clip(img.astype(np.float32) @ sepia.T, 0, 255).astype(np.uint8)
    _text(img, text["headline"], (150, 58), 1.6, (70, 35, 20), 3, _BOLD, 212)
    _text(img, text["ticker"], (40, 322), 0.55, (60, 30, 15), 1, _BOLD, WIDTH - 80)


def _advert_bg() -> np.ndarray:
    img = _gradient((250, 215, 90), (40, 150, 80))
    pts = np.array([[280, 250], [320, 230], [360, 236], [400, 190], [440, 160], [490, 90]], np.int32)
    cv2.polylines(img, [pts], False, (255, 255, 255), 4, cv2.LINE_AA)
    return img


def _advert_fg(img: np.ndarray, text: dict[str, str]) -> None:
    _text(img, text["headline"], (12, 40), 0.62, (20, 60, 20), 2, _BOLD, WIDTH - 24)
    cv2.rectangle(img, (300, 270), (490, 318), (210, 30, 30), -1)
    _text(img, "JOIN NOW", (330, 303), 0.8, (255, 255, 255), 2, _BOLD)
    _text(img, text["ticker"], (12, 340), 0.45, (255, 255, 255), 1, _FONT, WIDTH - 24)
    _text(img, "+312%", (400, 140), 0.9, (255, 255, 255), 2, _BOLD)


def _emergency_bg() -> np.ndarray:
    img = _gradient((200, 215, 225), (150, 170, 185))  # a hospital curtain behind the caller
    for x in range(0, WIDTH, 36):
        cv2.line(img, (x, 0), (x + 10, HEIGHT), (175, 195, 210), 6)
    return img


def _emergency_fg(img: np.ndarray, text: dict[str, str]) -> None:
    red = np.zeros_like(img)
    red[..., 0] = 255
    img[:] = cv2.addWeighted(img, 0.85, red, 0.15, 0)
    cv2.rectangle(img, (0, 0), (WIDTH, 44), (30, 30, 30), -1)
    _text(img, text["headline"], (12, 29), 0.6, (255, 80, 80), 2, _BOLD, 330)
    _text(img, "00:12", (WIDTH - 70, 29), 0.6, (255, 255, 255), 1, _FONT)
    _text(img, text["ticker"], (12, 70), 0.5, (255, 255, 255), 2, _FONT, WIDTH - 24)
    cv2.circle(img, (WIDTH // 2 - 50, 300), 22, (220, 30, 30), -1)
    cv2.circle(img, (WIDTH // 2 + 50, 300), 22, (90, 90, 90), -1)
    cv2.line(img, (WIDTH // 2 - 60, 300), (WIDTH // 2 - 40, 300), (255, 255, 255), 4)
    cv2.rectangle(img, (WIDTH - 110, 60), (WIDTH - 14, 180), (60, 60, 60), -1)  # self-view tile


_SCENES: dict[str, tuple[Slot, Callable[[], np.ndarray], Callable[[np.ndarray, dict[str, str]], None]]] = {
    "news": (Slot(150, 150, 190, (30, 30, 60), 0.25), _news_bg, _news_fg),
    "wanted": (Slot(256, 185, 190, (60, 50, 40), 0.2), _wanted_bg, _wanted_fg),
    "advert": (Slot(150, 175, 210, (240, 240, 245), 0.2), _advert_bg, _advert_fg),
    "emergency": (Slot(230, 185, 250, (90, 110, 140), 0.3), _emergency_bg, _emergency_fg),
}
SCENES = tuple(_SCENES)


def _figure(img: np.ndarray, slot: Slot, skin: tuple[int, int, int]) -> None:
    """Shoulders, neck and a head of the person's skin tone, under where the face goes."""
    s = slot.size
    cx, cy = int(slot.cx), int(slot.cy)
    cv2.ellipse(img, (cx, int(cy + 0.95 * s)), (int(0.62 * s), int(0.42 * s)), 0, 180, 360, slot.clothing, -1)
    cv2.rectangle(img, (cx - int(0.12 * s), cy), (cx + int(0.12 * s), int(cy + 0.6 * s)), skin, -1)
    cv2.ellipse(img, (cx, cy), (int(0.3 * s), int(0.4 * s)), 0, 0, 360, skin, -1)


def compose_scene(scene: str, photo: np.ndarray, landmarks: np.ndarray, text: dict[str, str]) -> Placed:
    """The person's face placed into `scene`, captioned with `text` ('headline', 'ticker'), labelled."""
    if scene not in _SCENES:
        raise InvalidRequest("scene", f"unknown scene {scene!r}; use one of {', '.join(SCENES)}")
    slot, background, foreground = _SCENES[scene]
    rgb, pts = imaging.to_rgb(photo), np.asarray(landmarks, np.float32)
    s = slot.size
    x0, y0 = slot.cx - s / 2, slot.cy - 0.56 * s
    template = np.array([[x0 + 0.35 * s, y0 + 0.40 * s], [x0 + 0.65 * s, y0 + 0.40 * s], [x0 + 0.5 * s, y0 + 0.72 * s]],
                        np.float32)  # fmt: skip
    matrix, _ = cv2.estimateAffinePartial2D(imaging.face_anchors(pts), template, method=cv2.LMEDS)
    if matrix is None:
        raise InvalidRequest("landmarks", "the face's eyes and mouth could not be located; use another photo")
    warped = cv2.warpAffine(rgb, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    placed = (pts @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)

    hull = cv2.convexHull(np.round(placed).astype(np.int32))
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillConvexPoly(mask, hull, 255)
    skin = tuple(int(c) for c in np.median(warped[mask > 0], axis=0))
    scene_img = background()
    _figure(scene_img, slot, skin)  # type: ignore[arg-type]

    x, y, w, h = cv2.boundingRect(hull)
    pad = int(0.2 * max(w, h))
    region = scene_img[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
    matched = imaging.color_transfer(warped, region)
    lit = cv2.addWeighted(warped, 1 - slot.tint, matched, slot.tint, 0)
    centre = placed.mean(axis=0)
    grown = centre + (placed - centre) * np.array([1.04, 1.08], np.float32)  # a little forehead and jaw
    composite = imaging.seamless_clone(lit, scene_img, grown)
    foreground(composite, text)
    return Placed(image=label_strip(composite), landmarks=placed)
