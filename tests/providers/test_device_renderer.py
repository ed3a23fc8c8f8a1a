"""Each device draws in its own process; a renderer that cannot serve falls back to the calling thread."""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.providers.base import ImageRequest
from engine.providers.embedded import renderer as renderer_module
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


def test_calls_at_once_get_a_process_each_up_to_the_limit(tmp_path: Path) -> None:
    saw_file, first, second = _second_call_while_the_first_waits(tmp_path, processes=2, first_waits_s=60.0)
    assert saw_file  # the second call ran while the first was still running
    assert first != second and os.getpid() not in (first, second)


def test_at_the_limit_a_call_waits_for_a_process_to_be_free(tmp_path: Path) -> None:
    saw_file, first, second = _second_call_while_the_first_waits(tmp_path, processes=1, first_waits_s=1.0)
    assert not saw_file  # the second call could only start once the first had answered
    assert first == second != os.getpid()  # and it got the same process


def test_a_killed_worker_is_replaced_and_no_call_fails(renderer: DeviceRenderer) -> None:
    dead = renderer.run(os.getpid)
    os.kill(dead, signal.SIGKILL)
    answered = renderer.run(os.getpid)  # the call that finds it dead is answered (here, at worst)
    assert answered != dead
    fresh = renderer.run(os.getpid)
    assert fresh not in (dead, os.getpid())  # and the next one gets a new worker process


def test_a_terminal_ctrl_c_leaves_stopping_the_worker_to_the_studio(renderer: DeviceRenderer) -> None:
    worker = renderer.run(os.getpid)
    os.kill(worker, signal.SIGINT)  # Ctrl-C reaches every process of the terminal's group
    assert renderer.run(os.getpid) == worker  # still serving; the studio closes it when it stops


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


def test_closing_waits_for_the_call_in_flight_and_stops_the_process(renderer: DeviceRenderer) -> None:
    worker = renderer.run(os.getpid)
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(renderer.run, _sleep_then_pid, 0.5)
        time.sleep(0.1)  # let the call reach the worker process (if not, it is answered here: still checked)
        renderer.close()
        assert in_flight.result(timeout=30) in (worker, os.getpid())  # answered, not lost
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # the worker process is gone


def test_a_call_stuck_past_the_close_wait_has_its_process_killed(renderer: DeviceRenderer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(renderer_module, "CLOSE_WAIT_S", 0.2)
    worker = renderer.run(os.getpid)
    with ThreadPoolExecutor(max_workers=1) as pool:
        stuck = pool.submit(renderer.run, _sleep_in_worker_only, worker)
        time.sleep(0.1)
        renderer.close()  # returns after the wait, killing the worker
        assert stuck.result(timeout=30) == os.getpid()  # the stuck call is answered in its own thread
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)


def _sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _sleep_in_worker_only(worker: int) -> int:
    if os.getpid() == worker:
        time.sleep(600)
    return os.getpid()


def _second_call_while_the_first_waits(tmp_path: Path, processes: int, first_waits_s: float) -> tuple[bool, int, int]:
    """A first call waits (up to `first_waits_s`) for a file that a second call, made once the first
    holds a process, creates: (whether the first saw the file, the first's pid, the second's pid)."""
    renderer = DeviceRenderer("cpu", processes=processes)
    signal_file = str(tmp_path / "go")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(renderer.run, _wait_for_file, signal_file, first_waits_s)
            _wait_until_in_flight(renderer, 1)
            second = renderer.run(_touch_then_pid, signal_file)
            saw_file, first = waiting.result(timeout=90)
    finally:
        renderer.close()
    return saw_file, first, second


def _wait_until_in_flight(renderer: DeviceRenderer, calls: int) -> None:
    """Block until `calls` calls hold a worker process."""
    deadline = time.monotonic() + 60
    while renderer.calls_in_flight < calls:
        assert time.monotonic() < deadline, "the first call never reached a worker process"
        time.sleep(0.01)


def _wait_for_file(path: str, seconds: float) -> tuple[bool, int]:
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.path.exists(path), os.getpid()


def _touch_then_pid(path: str) -> int:
    Path(path).touch()
    return os.getpid()
