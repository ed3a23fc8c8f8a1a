"""Each device draws in its own process; a renderer that cannot serve falls back to the calling thread."""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from engine.providers.base import ImageRequest
from engine.providers.embedded.renderer import DeviceRenderer
from engine.providers.embedded.storyboard import StoryboardImageModel, draw_card, render_card
from engine.settings import Settings


@pytest.fixture
def renderer() -> Iterator[DeviceRenderer]:
    made = DeviceRenderer("cpu:0")
    yield made
    made.close()


def test_work_runs_in_one_worker_process_per_device(renderer: DeviceRenderer) -> None:
    other = DeviceRenderer("cpu:1")
    try:
        first = renderer.run(os.getpid)
        assert first != os.getpid()
        assert renderer.run(os.getpid) == first  # the same process serves every call of a device
        assert other.run(os.getpid) not in (first, os.getpid())  # another device, another process
    finally:
        other.close()


def test_a_killed_worker_is_replaced_and_no_call_fails(renderer: DeviceRenderer) -> None:
    dead = renderer.run(os.getpid)
    os.kill(dead, signal.SIGKILL)
    answered = renderer.run(os.getpid)  # the call that finds it dead is answered (here, at worst)
    assert answered != dead
    fresh = renderer.run(os.getpid)
    assert fresh not in (dead, os.getpid())  # and the next one gets a new worker process


def test_an_error_of_the_work_itself_comes_back_as_it_is(renderer: DeviceRenderer) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        renderer.run(int, "not a number")


def test_a_closed_renderer_still_answers_in_the_calling_thread(renderer: DeviceRenderer) -> None:
    renderer.run(os.getpid)
    renderer.close()
    assert renderer.run(os.getpid) == os.getpid()


def test_the_card_drawn_in_the_device_process_is_the_card_drawn_here(settings: Settings) -> None:
    request = ImageRequest(prompt="A fox with a lantern", title="Chapter 1", seed=7, width=320, height=240)
    model = StoryboardImageModel(settings, "cpu:0")
    try:
        (result,) = model.generate([request])
    finally:
        model.close()
    assert result.png == render_card(request.model_dump())  # stored as the adapter encoded it
    here = np.asarray(draw_card(request))
    assert np.array_equal(np.asarray(result.image), here)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(result.png)).convert("RGB")), here)
