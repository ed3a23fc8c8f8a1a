"""Persona flow speed: template text against the embedded model, and a 16-image batch over N devices.

1. Template text: p50 per post over many writes (target ≤ 1 ms), and the embedded text model's
   p50 per post in the same run (same profile, same prompts); prints the ratio (target ≥ 1000×).
2. Batch images: 16 `persona.image` jobs through the real queue and gateway on the configured
   image provider (the embedded storyboard stand-in unless STUDIO_IMAGE_PROVIDER says otherwise),
   on one device and spread over N devices (one worker each, least-loaded placement), 7 batches
   each, alternating one and N so that each pair is measured seconds apart on a noisy machine;
   prints the median images/s of each and the median of the pairs' speed-ups against 0.8·N.

Usage: `python bench/bench_personas.py [--devices N] [--model-posts K] [--skip-model]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.ownership import Owner
from engine.personas import PersonaProfile, TemplateLibrary
from engine.personas.images import PERSONA_IMAGE_JOB, register_persona_images
from engine.personas.text import write_with_model
from engine.providers.base import ImageRequest
from engine.providers.gateway import ModelGateway
from engine.providers.registry import ProviderRegistry
from engine.queue import Device, GenerationQueue, Job, JobSpec, Priority, QueueConfig
from engine.routing import HybridRouter, RoutedText
from engine.settings import Settings, load_settings
from storage.database import Database
from storage.generations import GenerationLog
from storage.media import MediaStore
from storage.routing import RouterLog

PROFILE = PersonaProfile(
    name="Ada", personality_traits=["geeky", "kind", "confident"], aesthetic="sleek, futuristic",
    voice_style="precise", tone_preference="warm", themes=["robotics", "open source", "chess"],
)
PROMPTS = ["share your research on future trends", "a post for the community", "what did you build today",
           "your thoughts on open source"]
BATCH = 16
BENCH = Owner("bench")
REPEATS = 7


def template_p50_ms(library: TemplateLibrary, posts: int) -> float:
    timings = []
    for i in range(posts):
        start = time.perf_counter()
        library.write(PROFILE, PROMPTS[i % len(PROMPTS)], seed=i, locked=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def model_p50_ms(routed: RoutedText, posts: int) -> tuple[float, int]:
    write_with_model(routed, PROFILE, "warm-up", seed=0, owner=BENCH)  # load the model outside the timing
    timings, usable = [], 0
    for i in range(posts):
        start = time.perf_counter()
        post = write_with_model(routed, PROFILE, PROMPTS[i % len(PROMPTS)], seed=i, owner=BENCH)
        timings.append(time.perf_counter() - start)
        usable += post.text is not None
    return statistics.median(timings) * 1000, usable


@contextmanager
def batch_rig(settings: Settings, registry: ProviderRegistry, devices: list[Device],
              folder: Path) -> Iterator[Callable[[int], tuple[float, list[Job]]]]:
    """A queue over `devices` (its own database and media folder), warmed up; yields `run(repeat)`,
    which makes one 16-image batch and returns (images/s, the finished jobs)."""
    db = Database(folder / f"batch-{len(devices)}.duckdb")
    log = GenerationLog(db)
    try:
        models = ModelGateway(registry, log)
        queue = GenerationQueue(db, devices, QueueConfig(batch_window_ms=0, max_pending=1000))
        register_persona_images(queue, models, MediaStore(folder / f"media-{len(devices)}", db))
        queue.start()
        try:
            # one warm-up image per device at once (least-loaded placement gives each its own), so
            # every device's adapter and drawing process is started before the timing
            warm = queue.submit_many([JobSpec(kind=PERSONA_IMAGE_JOB, payload=ImageRequest(prompt=f"warm-up {i}").model_dump())
                                      for i in range(len(devices))])
            queue.wait_many([job.id for job in warm], timeout=600)

            def run(repeat: int) -> tuple[float, list[Job]]:
                specs = [
                    JobSpec(kind=PERSONA_IMAGE_JOB, priority=Priority.INTERACTIVE, max_retries=0,
                            payload=ImageRequest(prompt=f"Ada, {PROFILE.themes[i % 3]}, shot {i}", seed=repeat * BATCH + i,
                                                 title="Ada").model_dump())
                    for i in range(BATCH)
                ]
                start = time.perf_counter()
                jobs = queue.submit_many(specs)
                done = queue.wait_many([job.id for job in jobs], timeout=600)  # as PersonaService.batch does
                return BATCH / (time.perf_counter() - start), done

            yield run
        finally:
            queue.stop()
    finally:
        log.close()
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=min(8, os.cpu_count() or 2))
    parser.add_argument("--template-posts", type=int, default=5000)
    parser.add_argument("--model-posts", type=int, default=4)
    parser.add_argument("--skip-model", action="store_true", help="Skip the embedded text model (no ratio).")
    args = parser.parse_args()

    library = TemplateLibrary.load()
    template_ms = template_p50_ms(library, args.template_posts)
    print(f"template_text posts={args.template_posts} p50_ms={template_ms:.4f} target_ms<=1.0 "
          f"{'OK' if template_ms <= 1.0 else 'MISSED'}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # The converted text model is cached in ./data/models (or STUDIO_MODEL_CACHE_DIR) across runs.
        cache = Path(os.environ.get("STUDIO_MODEL_CACHE_DIR") or "data/models").resolve()
        settings = load_settings(data_dir=folder / "data", model_cache_dir=cache, _env_file=None)
        registry = ProviderRegistry(settings)
        registry.load_plugins(())
        try:
            if not args.skip_model:
                db = Database(folder / "text.duckdb")
                log = GenerationLog(db)
                router_log = RouterLog(db)
                try:
                    gateway = ModelGateway(registry, log)
                    routed = RoutedText(gateway, HybridRouter(settings, registry, router_log), router_log)
                    model_ms, usable = model_p50_ms(routed, args.model_posts)
                finally:
                    router_log.close()
                    log.close()
                    db.close()
                ratio = model_ms / template_ms
                print(f"model_text provider={settings.text_provider} posts={args.model_posts} usable={usable} "
                      f"p50_ms={model_ms:.1f} ratio_model_over_template={ratio:.0f}x target>=1000x "
                      f"{'OK' if ratio >= 1000 else 'MISSED'}")

            many_devices = [Device(f"cpu:{i}", "cpu", 1) for i in range(args.devices)]
            with (batch_rig(settings, registry, [Device("cpu:0", "cpu", 1)], folder) as on_one,
                  batch_rig(settings, registry, many_devices, folder) as on_many):
                # Alternate the two: each ratio compares batches made seconds apart, so the machine's
                # drift over the run (other jobs, the disk) does not land on one side.
                ones, manys, ratios, done = [], [], [], []
                for repeat in range(REPEATS):
                    one_rate, _ = on_one(repeat)
                    many_rate, done = on_many(repeat)
                    ones.append(one_rate)
                    manys.append(many_rate)
                    ratios.append(many_rate / one_rate)
            placed = Counter(str((job.result or {}).get("device") or job.device) for job in done)
            failed = sum(job.status.value != "completed" for job in done)
            if failed:
                print(f"  warning: {failed} of {BATCH} images failed on {args.devices} device(s)")
            speedup = statistics.median(ratios)
            target = 0.8 * args.devices
            print(f"batch images={BATCH} provider={settings.image_provider} "
                  f"one_device_img_s={statistics.median(ones):.2f} "
                  f"devices={args.devices} spread_img_s={statistics.median(manys):.2f} speedup={speedup:.2f}x "
                  f"(median of {REPEATS} back-to-back pairs; min {min(ratios):.2f}, max {max(ratios):.2f}) "
                  f"target>={target:.1f}x {'OK' if speedup >= target else 'MISSED'} "
                  f"placement={dict(sorted(placed.items()))}")
        finally:
            registry.close()


if __name__ == "__main__":
    main()
