"""How fast, and in how little memory, hostile images are refused, against accepting a normal photo.

    .venv/bin/python bench/bench_uploads.py [--app]

Baseline (same run): reading a 1024x1024 PNG the studio accepts. Each hostile file (a header
promising 20000x20000, a 12000x12000 one, a 20000x20000 1-bit bomb, a non-image named .png) is
refused by `engine.imaging.read_image`; the bench prints its median time, the ratio to the
baseline, and the peak Python-tracked memory. Target: every refusal under 1 s and a few MB.
With --app, the same files go through a running studio with `gradio_client` (/process), against
a /classify call (rules) as the baseline. Target there too: an answer within 1 s.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from engine.errors import InvalidRequest
from engine.imaging import encode_png, read_image, set_pixel_limit
from tests.support.images import bomb_png, huge_header_png

LIMIT = 40_000_000


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds and peak traced MB of `fn` (an InvalidRequest counts as its normal end)."""
    samples, peak = [], 0
    for _ in range(repeat):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            fn()
        except InvalidRequest:
            pass
        samples.append(time.perf_counter() - start)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return statistics.median(samples), peak / 1e6


def hostile_files() -> dict[str, bytes]:
    return {
        "header 20000x20000": huge_header_png(20_000, 20_000),
        "header 12000x12000": huge_header_png(12_000, 12_000),
        "bomb 20000x20000 (1-bit)": bomb_png(),
        "non-image .png": b"<html>not a picture</html>" * 40,
    }


def bench_engine() -> None:
    set_pixel_limit(LIMIT)
    rng = np.random.default_rng(0)
    normal = encode_png(rng.integers(0, 255, (1024, 1024, 3), dtype=np.uint8))
    base_s, base_mb = measure(lambda: read_image(normal, max_pixels=LIMIT), 5)
    print(f"engine baseline: accept a 1024x1024 PNG  {base_s * 1000:8.2f} ms  {base_mb:7.1f} MB")
    for name, data in hostile_files().items():
        seconds, mb = measure(lambda d=data: read_image(d, max_pixels=LIMIT), 5)  # type: ignore[misc]
        print(f"engine refuse {name:26s} {seconds * 1000:8.2f} ms  {mb:7.1f} MB  x{seconds / base_s:.3f} of baseline")


def bench_app() -> None:
    from gradio_client import Client, handle_file

    from engine.engine import build_engine
    from engine.settings import load_settings
    from studio.shell import build_studio, launch_options

    with tempfile.TemporaryDirectory() as tmp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        engine = build_engine(load_settings(_env_file=None, data_dir=Path(tmp) / "data", port=port)).start()
        demo = build_studio(engine)
        demo.queue()
        demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(engine))
        try:
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            client.predict("warm up", False, "rules", api_name="/classify")
            base = statistics.median(_timed(lambda: client.predict("dye my hair pink", True, "rules",
                                                                   api_name="/classify")) for _ in range(5))  # fmt: skip
            print(f"app baseline: /classify (rules)          {base * 1000:8.1f} ms")
            for name, data in hostile_files().items():
                path = Path(tmp) / f"{name.split()[0]}-{len(data)}.png"
                path.write_bytes(data)
                seconds = statistics.median(_timed(lambda p=path: client.predict(  # type: ignore[misc]
                    "make this a sketch", handle_file(str(p)), "balanced", api_name="/process")) for _ in range(3))
                print(f"app refuse {name:29s} {seconds * 1000:8.1f} ms  x{seconds / base:.2f} of baseline")
        finally:
            demo.close()
            engine.close()


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    try:
        fn()
    except Exception:  # noqa: BLE001 (a refusal is the expected answer)
        pass
    return time.perf_counter() - start


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action="store_true", help="also through a running studio")
    args = parser.parse_args()
    bench_engine()
    if args.app:
        bench_app()
