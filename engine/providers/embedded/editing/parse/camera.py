"""Camera moves in a prompt: zoom in/out, pan, orbit, a face to end on, speed, length and frame rate."""

from __future__ import annotations

import re

from engine.providers.embedded.editing.models import Operation
from engine.providers.embedded.editing.parse.text import NUMBER_WORDS, Clause, Findings, number

__all__ = ["DEFAULT_SECONDS", "GENERATIVE_VIDEO", "MAX_SECONDS", "parse_camera"]

GENERATIVE_VIDEO = "a generative video model (e.g. kling-v2.1 on replicate)"
DEFAULT_SECONDS = 3.0
MAX_SECONDS = 10.0
DEFAULT_FPS = 24.0

_ZOOM_OUT = re.compile(
    r"\b(zoom(?:s|ed|ing)? ?out|pull(?:s|ing)? (?:back|out|away)|dolly(?:ing)? (?:out|back)|reveal\w*|"
    r"widen\w*|move (?:back|away))\b"
)
_ZOOM_IN = re.compile(
    r"\b(zoom(?:s|ed|ing)?(?: ?in(?:to)?)?|push(?:es|ing)?(?: ?in)?|dolly(?:ing)?(?: in)?|move (?:in|closer)|"
    r"closer|close ?up|punch(?:es|ing)? ?in|creep(?:s|ing)? ?in|approach\w*)\b"
)
_PAN = re.compile(
    r"\b(pan(?:s|ning|ned)?|tilt(?:s|ing|ed)?|slid(?:e|es|ing)|track(?:s|ing)?|truck(?:s|ing)?|mov(?:e|es|ing)|"
    r"drift(?:s|ing)?|sweep(?:s|ing)?|scroll(?:s|ing)?|glid(?:e|es|ing)|travel\w*)\b"
)
_DIRECTION = re.compile(r"\b(left|right|up|upwards?|down|downwards?|across|sideways)\b")
_PAN_ALONE = re.compile(r"\bpan(?:s|ning|ned)?\b")  # "a slow pan": across, left to right
_ORBIT = re.compile(r"\b(orbit\w*|circl\w*|arc(?:s|ing)?|around|parallax|3d|swirl\w*|revolv\w*)\b")
_KEN_BURNS = re.compile(r"\bken ?burns\b")
# "zoom in on her" means her face; "on the subject" may be a cup, so it is not among these.
_FACE = re.compile(
    r"\b(face|faces|eyes|smile|head|portrait|her|him|his|person|man|woman|girl|boy|kid|child|baby)\b"
)
_SLOW = re.compile(
    r"\b(slow(?:ly)?|gentl[ey]|subtl[ey]|slight(?:ly)?|calm|soft(?:ly)?|easy|lazy|leisurely)\b"
)
_FAST = re.compile(
    r"\b(fast|quick(?:ly)?|rapid(?:ly)?|dramatic(?:ally)?|dynamic|big|crash|energetic|snappy)\b"
)
_SECONDS = re.compile(rf"\b(\d+(?:\.\d+)?|{NUMBER_WORDS}) ?(s|sec|secs|seconds?|minutes?|mins?)\b")
_FPS = re.compile(r"\b(\d{1,3}) ?(?:fps|frames? (?:per|a) second)\b")
_MOTION = re.compile(
    r"\b(wav(?:e|es|ing)|walk\w*|danc\w*|smil(?:es|ing)|make (?:her|him|them|me) smile|talk\w*|blink\w*|"
    r"laugh\w*|runs|running|jump\w*|turn(?:s|ing)? "
    r"(?:her|his|their) head|nod\w*|mov(?:e|es|ing) (?:her|his|their)|fly\w*|flow\w*|blow\w*|"
    r"come alive|bring (?:it|her|him|them) to life)\b"
)


def parse_camera(clauses: list[Clause], found: Findings) -> None:
    """One camera move for the whole prompt (default: a gentle push-in)."""
    zoom, pan, orbit, face, speed = "", "none", False, False, 1.0
    seconds, fps, at = DEFAULT_SECONDS, DEFAULT_FPS, 0
    notes = []
    for clause in clauses:
        if motion := clause.take(_MOTION):
            notes.append(motion.group(0))
        if match := clause.take(_SECONDS):
            value = number(match.group(1)) or DEFAULT_SECONDS
            seconds = value * 60.0 if match.group(2).startswith("min") else value
        if match := clause.take(_FPS):
            fps = float(min(max(int(match.group(1)), 8), 60))
        if clause.take(_SLOW):
            speed = 0.6
        if clause.take(_FAST):
            speed = 1.8
        if match := clause.take(_KEN_BURNS):
            zoom, pan, at = zoom or "in", "right", clause.offset + match.start()
        if match := clause.take(_ZOOM_OUT) or clause.take(_ZOOM_IN):
            zoom = "out" if _ZOOM_OUT.search(match.group(0)) else "in"
            face = face or (zoom == "in" and clause.find(_FACE) is not None)
            at = clause.offset + match.start()
        if match := clause.take(_ORBIT):
            orbit = True
            at = clause.offset + match.start()
        if (match := clause.find(_PAN)) and (direction := clause.find(_DIRECTION)):
            clause.take(_PAN)
            clause.take(_DIRECTION)
            pan = _direction(direction.group(0))
            at = clause.offset + match.start()
        elif match := clause.take(_PAN_ALONE):
            pan = "right"
            at = clause.offset + match.start()
    if not zoom:
        zoom = "none" if pan != "none" or orbit else "in"
        if zoom == "in" and speed == 1.0:
            speed = 0.6  # the default move is a gentle push-in
    capped = seconds > MAX_SECONDS
    seconds = round(min(max(seconds, 1.0), MAX_SECONDS), 2)
    params: dict[str, float | str | bool] = {
        "zoom": zoom,
        "pan": pan,
        "orbit": orbit,
        "target": "face" if face and not orbit else "center",
        "seconds": seconds,
        "fps": fps,
        "strength": speed,
        "max_side": 720.0,
    }
    description = _describe(params) + (f" (capped at {MAX_SECONDS:g} s)" if capped else "")
    found.ops.append((at, Operation(name="camera_move", params=params, description=description)))
    for note in notes:
        found.refusals.append(
            f"subject motion ('{note}') needs {GENERATIVE_VIDEO}; this is a camera move over the still"
        )


def _direction(word: str) -> str:
    if word.startswith("up"):
        return "up"
    if word.startswith("down"):
        return "down"
    return "left" if word == "left" else "right"


def _describe(params: dict[str, float | str | bool]) -> str:
    speed = {0.6: "slow ", 1.8: "fast "}.get(float(params["strength"]), "")
    parts = []
    if params["orbit"]:
        parts.append("orbit-like arc")
    if params["zoom"] != "none":
        on_face = " on the face" if params["target"] == "face" else ""
        parts.append(f"zoom {params['zoom']}{on_face}")
    if params["pan"] != "none":
        parts.append(f"pan {params['pan']}")
    return f"camera: {speed}{' + '.join(parts)}, {params['seconds']:g} s at {params['fps']:g} fps"
