"""The real app: launched on a free port, driven through `gradio_client`."""

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file

from engine.engine import Engine
from engine.imaging import encode_png
from engine.settings import Settings
from tests.support.studio_app import running_studio


@pytest.fixture
def running_app(engine_settings: Settings) -> Iterator[tuple[Engine, str]]:
    with running_studio(engine_settings) as running:
        yield running


def test_app_serves_speech_and_system_status(running_app: tuple[Engine, str]) -> None:
    engine, url = running_app
    client = Client(url, verbose=False)
    audio_path = client.predict("Testing the studio.", "en-us", 50, 175, api_name="/generate_speech")
    with wave.open(audio_path) as wav:
        assert wav.getnframes() > wav.getframerate() * 0.5
    figure, devices, providers, recent, jobs, notices = client.predict(api_name="/system_status")
    assert notices["visible"] is False and not notices["value"]  # no Redis configured: nothing to warn about
    assert recent["visible"] is True and any(row[1] == "speech" for row in recent["value"]["data"])
    assert engine.generations.count() >= 1


def test_bad_input_gets_a_readable_error(running_app: tuple[Engine, str]) -> None:
    _, url = running_app
    client = Client(url, verbose=False)
    with pytest.raises(Exception, match="write something to speak"):
        client.predict("   ", "en-us", 50, 175, api_name="/generate_speech")


def test_unknown_job_id_is_a_clear_error(running_app: tuple[Engine, str]) -> None:
    _, url = running_app
    with pytest.raises(Exception, match="(?i)no job"):
        Client(url, verbose=False).predict("not-a-job", api_name="/cancel_job")


def test_intent_lab_classifies_through_the_api(running_app: tuple[Engine, str]) -> None:
    engine, url = running_app
    card = Client(url, verbose=False).predict("dye my hair pastel pink", True, "rules", api_name="/classify")[0]
    assert "hair_styling" in card
    refused = Client(url, verbose=False).predict("   ", False, "rules", api_name="/classify")[0]
    assert refused.startswith("**Not done:**") and "prompt" in refused  # an inline note, not an error overlay


FACE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "face.jpg"


def test_intent_lab_processes_an_image_and_evaluates_an_upload(
    running_app: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = running_app
    client = Client(url, verbose=False)
    card, still, video, _ = client.predict(
        "turn this photo into a pencil sketch", handle_file(str(FACE)), "balanced", api_name="/process"
    )
    assert "style_transfer" in card and "Made" in card and "Simulation" in card
    assert still["visible"] and "SIMULATION" in still["label"] and video["value"] is None and not video["visible"]
    assert Path(still["value"]).stat().st_size > 1000
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(encode_png(np.zeros((8, 8, 3), np.uint8)))
    refused, still, _, _ = client.predict("sharpen this", handle_file(str(tiny)), "balanced", api_name="/process")
    assert "at least 32" in refused and still["value"] is None  # the earlier result is not left beside it

    labelled = tmp_path / "mine.jsonl"
    labelled.write_text("\n".join(json.dumps(row) for row in [
        {"prompt": "animate this photo", "has_image": True, "workflow": "image_to_video"},
        {"prompt": "a poster of a red fox", "has_image": False, "workflow": "image_generation"},
    ]))
    _, table, confusion, latency = client.predict(
        handle_file(str(labelled)), ["rules", "embedding"], 9, api_name="/evaluate"
    )
    rows = table["value"]["data"]  # an update: the table is shown only once it has rows
    assert table["visible"] and [row[0] for row in rows] == ["rules", "embedding"]
    assert all(row[1] == 2 for row in rows)
    statuses = engine.db.cursor().execute("SELECT status FROM intent_selections").fetchall()
    assert statuses == [("done",)]


def test_streaming_handler_errors_reach_the_person(running_app: tuple[Engine, str]) -> None:
    _, url = running_app
    with pytest.raises(Exception, match="write a prompt first"):
        Client(url, verbose=False).predict("  ", 32, 0.7, api_name="/generate_text")
