"""The bundled labelled requests: a training set and a held-out set that is never trained on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from engine.errors import InvalidRequest
from engine.intent.models import LabelledExample
from engine.providers.catalogue_prices import CATALOGUE_PATH as CATALOGUE_PRICES_PATH

__all__ = [
    "ASSETS_DIR",
    "CATALOGUE_PATH",
    "HELDOUT_PATH",
    "MAX_UPLOAD_BYTES",
    "TRAIN_PATH",
    "examples_digest",
    "load_examples",
    "load_labelled_file",
]

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets" / "intent"
TRAIN_PATH = ASSETS_DIR / "train.jsonl"
HELDOUT_PATH = ASSETS_DIR / "heldout.jsonl"
CATALOGUE_PATH = CATALOGUE_PRICES_PATH  # the catalogue: models per workflow, and their prices
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def load_examples(path: Path = TRAIN_PATH) -> list[LabelledExample]:
    """Read one JSON object per line: {"prompt": str, "has_image": bool, "workflow": str} (or "label": str)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            examples.append(LabelledExample.model_validate_json(line))
        except ValidationError as exc:
            raise InvalidRequest(
                f"{path.name} line {number}",
                f'not a labelled example ({exc.errors()[0]["msg"]}); each line is '
                '{"prompt": "...", "has_image": false, "workflow": "image_generation"} ("label" works too)',
            ) from exc
    return examples


def load_labelled_file(path: Path) -> list[LabelledExample]:
    """A person's labelled JSONL upload: the same format, with clear errors for anything else."""
    path = Path(path)
    if not path.is_file():
        raise InvalidRequest("file", f"{path.name} was not found; upload a .jsonl file")
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise InvalidRequest("file", f"{path.name} is over 2 MB; evaluate on at most a few thousand lines")
    try:
        examples = load_examples(path)
    except UnicodeDecodeError as exc:
        raise InvalidRequest("file", f"{path.name} is not UTF-8 text; upload JSON lines") from exc
    if not examples:
        raise InvalidRequest("file", f"{path.name} holds no labelled requests")
    return examples


def examples_digest(examples: Iterable[LabelledExample], *extra: str) -> str:
    """A stable hash of labelled examples (order included) and any extra settings."""
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode() + b"\x1f")
    for example in examples:
        digest.update(json.dumps(example.model_dump(mode="json"), sort_keys=True).encode() + b"\n")
    return digest.hexdigest()
