"""The Persona templates tab through `gradio_client`, two visitors on one running studio: all eight
persona endpoints (and persona_use_batch_image) work for Alice; Bob can neither see nor change her
personas nor use her batch images; after Alice's
"Delete my data" no persona row, base image, batch image or exported card of hers is left."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from engine.engine import Engine
from engine.ownership import OPERATOR
from engine.settings import Settings
from tests.support.studio_app import running_studio
from tests.support.traces import rows_mentioning

FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"
# What the endpoints that show a persona return, in order (the per-session persona id is state, not returned).
VIEW = ["picker", "status", "name", "traits", "aesthetic", "voice", "tone", "rating", "themes", "appearance", "tags",
        "base_image", "history", "gallery", "batch_table"]  # fmt: skip
PERSONA_TABLES = ("personas", "persona_transitions", "persona_images")


@pytest.fixture
def studio(engine_settings: Settings) -> Iterator[tuple[Engine, str]]:
    with running_studio(engine_settings) as running:
        yield running


def _view(values: Any) -> dict[str, Any]:
    assert len(values) == len(VIEW), values
    return dict(zip(VIEW, values, strict=True))


def _value(output: Any) -> Any:
    """An output's value, whether it came back plain or as an update."""
    if isinstance(output, dict) and output.get("__type__") == "update":
        return output.get("value")
    return output


def _choices(picker: Any) -> list[str]:
    """The persona ids offered in the list (an update's choices are [label, id] pairs)."""
    return [choice[1] for choice in picker.get("choices", [])]


def _path(value: Any) -> Path | None:
    value = _value(value)
    if isinstance(value, dict):
        return Path(value["path"]) if value.get("path") else None
    return Path(value) if value else None


def _refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(Exception) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def _batch_media(engine: Engine, image_id: str) -> str | None:
    batch_id, index = image_id.rsplit("-", 1)
    row = engine.db.cursor().execute("SELECT media FROM persona_images WHERE batch_id = ? AND idx = ?",
                                     [batch_id, int(index)]).fetchone()
    return row[0] if row else None


def _owned_rows(engine: Engine, owner: str) -> dict[str, int]:
    cursor = engine.db.cursor()
    counts = {}
    for table in PERSONA_TABLES:
        row = cursor.execute(f"SELECT count(*) FROM {table} WHERE owner = ?", [owner]).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


@pytest.mark.slow
def test_personas_through_the_api_for_two_visitors(studio: tuple[Engine, str]) -> None:
    engine, url = studio
    alice, bob = Client(url, verbose=False, download_files=False), Client(url, verbose=False, download_files=False)
    alice_key = alice.predict(api_name="/my_key")[0]

    # persona_save creates a persona in Alice's session and shows it
    saved = _view(alice.predict("Ada", "geeky, kind", "sleek", "precise", "confident", "sfw", "robotics, chess",
                                "short dark hair, round glasses", "demo", api_name="/persona_save"))  # fmt: skip
    ada = saved["picker"]["value"]
    assert re.fullmatch(r"[0-9a-f]{12}", ada) and _choices(saved["picker"]) == [ada]
    assert "style **tech**" in saved["status"] and "pending_upload" in saved["status"]
    assert _value(saved["themes"]) == "robotics, chess"
    assert _choices(alice.predict(api_name="/persona_list")) == [ada]

    # persona_transition refuses a move the state machine does not allow, naming the allowed ones
    assert "allowed from pending_upload: draft" in _refused(alice.predict, "approved", "", api_name="/persona_transition")
    uploaded = _view(alice.predict("upload", handle_file(str(FACE)), api_name="/persona_image"))
    assert "base image **draft**" in uploaded["status"] and _path(uploaded["base_image"]) is not None
    approved = _view(alice.predict("approved", "looks right", api_name="/persona_transition"))
    assert "base image **approved**" in approved["status"] and "appearance **locked**" in approved["status"]
    history = _value(approved["history"])["data"]
    assert [row[1:] for row in history] == [["", "pending_upload", "created", "you"],
                                            ["pending_upload", "draft", "uploaded face.jpg", "you"],
                                            ["draft", "approved", "looks right", "you"]]  # fmt: skip
    assert "unlock" in _refused(alice.predict, "upload", handle_file(str(FACE)), api_name="/persona_image")

    # persona_text: the template engine answers, deterministic under a seed, and says so
    post, meta = alice.predict("future trends", "3", "template", api_name="/persona_text")
    assert post.endswith("(maintaining my tech-forward presence)") and "source: **template**" in meta
    assert alice.predict("future trends", "3", "template", api_name="/persona_text")[0] == post
    assert "whole number" in _refused(alice.predict, "x", "seven", "template", api_name="/persona_text")

    # persona_batch: each image with its device and provider (the labelled embedded stand-in)
    gallery, table = alice.predict("", 3, api_name="/persona_batch")
    assert len(gallery) == 3 and all("stand-in" in item["caption"] for item in gallery)
    rows = _value(table)["data"]
    assert [row[:4] for row in rows] == [[i, "completed", "cpu", "embedded"] for i in range(3)]
    batch_files = [Path(item["image"]["path"]) for item in gallery]
    assert all(f.is_file() for f in batch_files)

    # persona_use_batch_image: a batch image, by the id in the table's last column, proposed as the base image
    image_ids = [row[-1] for row in rows]
    assert all(re.fullmatch(r"[0-9a-f]{12}-\d+", i) for i in image_ids) and image_ids[1].endswith("-1")
    assert "unlock it first" in _refused(alice.predict, image_ids[1], api_name="/persona_use_batch_image")
    assert "No batch image 'abc-0'" in _refused(alice.predict, "abc-0", api_name="/persona_use_batch_image")
    assert "not a batch image id" in _refused(alice.predict, "face.jpg", api_name="/persona_use_batch_image")
    alice.predict("draft", "try a batch picture", api_name="/persona_transition")
    picked = _view(alice.predict(image_ids[1], api_name="/persona_use_batch_image"))
    assert "base image **draft**" in picked["status"] and "appearance not locked" in picked["status"]
    assert _value(picked["history"])["data"][-1][1:] == ["draft", "draft", f"picked batch image {image_ids[1]}", "you"]
    assert engine.personas.get(ada, owner=OPERATOR).base_image_media == _batch_media(engine, image_ids[1])
    approved = _view(alice.predict("approved", "the batch one", api_name="/persona_transition"))
    assert "appearance **locked**" in approved["status"]

    # persona_export / persona_import: a Character Card V2 round trip into a second persona
    card_path = _path(alice.predict(api_name="/persona_export"))
    assert card_path is not None and card_path.is_file()
    card = json.loads(card_path.read_text(encoding="utf-8"))
    assert card["spec"] == "chara_card_v2" and card["data"]["name"] == "Ada"
    copy = _view(alice.predict(handle_file(str(card_path)), api_name="/persona_import"))
    copy_id = copy["picker"]["value"]
    assert copy_id != ada and set(_choices(copy["picker"])) == {ada, copy_id}
    assert "pending_upload" in copy["status"] and _value(copy["traits"]) == "geeky, kind"
    assert not _value(copy["gallery"])  # the copy has no batch of its own
    assert "made for another persona" in _refused(alice.predict, image_ids[0], api_name="/persona_use_batch_image")
    back = _view(alice.predict(ada, api_name="/persona_open"))  # back to Ada: her batch is shown again
    assert "approved" in back["status"] and len(_value(back["gallery"])) == 3

    # Bob: Alice's personas are not listed, cannot be opened, and his session has nothing to act on
    assert _choices(bob.predict(api_name="/persona_list")) == []
    # (refused by the list itself: Bob's session offers only his own ids; the service refuses too, tests/personas)
    assert "not in the list of choices: []" in _refused(bob.predict, ada, api_name="/persona_open")
    for call, args in (("/persona_text", ("hi", "", "template")), ("/persona_transition", ("draft", "mine now")),
                       ("/persona_batch", ("", 1)), ("/persona_export", ()),
                       ("/persona_image", ("upload", handle_file(str(FACE)))),
                       ("/persona_use_batch_image", (image_ids[1],))):  # fmt: skip
        assert "save the profile first" in _refused(bob.predict, *args, api_name=call), call
    bobs = _view(bob.predict("Bo", "chill", "", "", "", "sfw", "surfing", "", "", api_name="/persona_save"))
    bo = bobs["picker"]["value"]
    assert _choices(bobs["picker"]) == [bo] and bo not in (ada, copy_id)
    assert f"choices: [{bo!r}]" in _refused(bob.predict, ada, api_name="/persona_open")  # still not his
    assert _choices(bob.predict(api_name="/persona_list")) == [bo]
    # her batch image reads to Bob as a missing one
    assert f"No batch image {image_ids[2]!r}" in _refused(bob.predict, image_ids[2], api_name="/persona_use_batch_image")
    assert "pending_upload" in _view(bob.predict(bo, api_name="/persona_open"))["status"]
    kept = engine.personas.get(ada, owner=OPERATOR)
    assert kept.base_image_status.value == "approved" and kept.appearance_locked and kept.owner == alice_key
    assert len(engine.personas.history(ada, owner=OPERATOR)) == 6

    # Alice deletes her data: no persona row, transition, image row or file of hers is left
    assert _owned_rows(engine, alice_key) == {"personas": 2, "persona_transitions": 7, "persona_images": 3}
    base_file = Path(kept.base_image_path or "")
    alice.predict(api_name="/delete_user")
    assert _owned_rows(engine, alice_key) == dict.fromkeys(PERSONA_TABLES, 0)
    for needle in (ada, copy_id, alice_key):
        assert rows_mentioning(engine.db, needle) == {}, needle
    for gone in (base_file, card_path, *batch_files):
        assert not gone.exists(), gone
    assert _choices(alice.predict(api_name="/persona_list")) == []
    assert _owned_rows(engine, bob.predict(api_name="/my_key")[0]) == {"personas": 1, "persona_transitions": 1,
                                                                        "persona_images": 0}  # Bob's is kept
