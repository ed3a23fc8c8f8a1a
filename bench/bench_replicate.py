"""What the Replicate adapter adds to a prediction, against the bare SDK in the same run.

    .venv/bin/python bench/bench_replicate.py [--repeat 30] [--batch 8]

Both sides talk to the local stand-in (tests/support/replicate_standin.py) with two polls
per prediction at the same poll interval. Baseline: the official client's own
create → poll → download loop. Measured: one image through the gateway (model mapping,
upload-free input, breaker, metering, output check, generation record on DuckDB), and a
batch of N through the adapter (concurrent predictions) against N bare loops one after
another. Prints the ratios; target: single-call overhead <= 1.1x of the bare loop.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import median_ms
from engine.providers.base import ImageRequest
from storage.database import Database
from tests.providers.replicate_fixtures import Remote, replicate_settings
from tests.support.media_samples import png_bytes
from tests.support.replicate_standin import Plan, ReplicateStandIn

MODEL = "black-forest-labs/flux-schnell"
POLL_S = 0.02


def bare_loop(standin: ReplicateStandIn) -> None:
    import replicate
    from replicate.helpers import FileOutput

    client = replicate.Client(api_token="r8_bench", base_url=standin.base_url)

    def once() -> None:
        prediction = client.models.predictions.create(model=MODEL, input={"prompt": "a kite", "aspect_ratio": "1:1"})
        while prediction.status not in ("succeeded", "failed", "canceled"):
            time.sleep(POLL_S)
            prediction.reload()
        FileOutput(prediction.output[0], client).read()

    bare_loop.once = once  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    standin = ReplicateStandIn().start()
    standin.plans[MODEL] = Plan(output=[standin.serve_output("b.png", png_bytes(256, 256), "image/png")])
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.duckdb")
        remote = Remote(replicate_settings(Path(folder), standin.base_url, replicate_poll_s=POLL_S), db)
        try:
            bare_loop(standin)
            bare = median_ms(bare_loop.once, args.repeat)  # type: ignore[attr-defined]
            adapter = median_ms(lambda: remote.gateway.image.generate([ImageRequest(prompt="a kite")]), args.repeat)
            requests = [ImageRequest(prompt=f"kite {i}") for i in range(args.batch)]
            batch = median_ms(lambda: remote.gateway.image.generate(requests), max(3, args.repeat // 5), warmup=1)
            serial = bare * args.batch
        finally:
            remote.close()
            db.close()
            standin.stop()
    print(f"bare SDK loop          {bare:8.1f} ms per prediction (baseline)")
    print(f"adapter via gateway    {adapter:8.1f} ms per prediction  ratio {adapter / bare:.2f}x (target <= 1.10x)")
    print(f"batch of {args.batch} via adapter {batch:8.1f} ms  vs {args.batch} bare loops {serial:.1f} ms: "
          f"{serial / batch:.1f}x faster (concurrent predictions)")  # fmt: skip


if __name__ == "__main__":
    main()
