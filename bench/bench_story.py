"""Story flow on the embedded default: time to first token, chapter time, state save, images on vs off.

Targets (2-core CPU): first streamed token <= 1 s; a chapter complete (prose + choices)
<= 10 s; a state save <= 20 ms; chapter text with images on within 10 % of images off.
Images on and off are measured in the same run, alternating, with greedy decoding
(temperature 0) so both sides write the same text. Run: `.venv/bin/python bench/bench_story.py`
(`--chapters N`, `--rounds R`, `--json` for one JSON line).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from engine.ownership import OPERATOR

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _play(story: object, world: str, topic: str, chapters: int) -> list[dict[str, float]]:
    from engine.story import StoryService, auto_choice

    assert isinstance(story, StoryService)
    adventure = story.start(world, topic, chapters=chapters, user_id="bench", owner=OPERATOR)
    rows = []
    while True:
        chapter = None
        for event in story.stream_chapter(adventure.id, owner=OPERATOR):
            chapter = event.chapter
        assert chapter is not None
        rows.append({"ttft_ms": chapter.ttft_ms or 0.0, "total_ms": chapter.total_ms, "tokens": chapter.tokens,
                     "stream_ms": next(e.detail for e in story.events(adventure.id, "llm_total")
                                       if e.chapter_index == chapter.index)})
        if chapter.is_last:
            return rows
        story.choose(adventure.id, chapter.index, auto_choice(chapter), owner=OPERATOR)


def _stream_ms(row: dict[str, float]) -> float:
    return float(str(row["stream_ms"]).split()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chapters", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help="Adventures per side (images on / off).")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--model-cache", type=Path, default=Path("data/models"))
    args = parser.parse_args()

    from engine.engine import build_engine
    from engine.settings import load_settings
    from engine.story import StoryConfig
    from storage.stories import StoryRepository

    data_dir = Path(tempfile.mkdtemp(prefix="bench-story-"))
    settings = load_settings(data_dir=data_dir, model_cache_dir=args.model_cache.resolve(), _env_file=None)
    engine = build_engine(settings)
    on = engine.story.with_config(StoryConfig(temperature=0.0, images=True))
    off = engine.story.with_config(StoryConfig(temperature=0.0, images=False))
    engine.start()
    try:
        engine.models.text.complete("Hello", max_new_tokens=4)  # load and warm the model outside the timings
        results: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
        for round_ in range(args.rounds):
            for side, story in (("on", on), ("off", off)) if round_ % 2 == 0 else (("off", off), ("on", on)):
                results[side] += _play(story, "harbor-town", "phishing-emails", args.chapters)

        # state saves: an 8-chapter adventure, saved repeatedly
        repo = StoryRepository(engine.db)
        adventure = on.get(on.list_adventures(limit=1)[0][0])
        while len(adventure.chapters) < 8:
            adventure.chapters.append(adventure.chapters[-1].model_copy(update={"index": len(adventure.chapters)}))
        adventure.plan = adventure.plan + adventure.plan[: max(0, 8 - len(adventure.plan))]
        saves = []
        for _ in range(50):
            started = time.perf_counter()
            adventure = repo.save(adventure)
            saves.append((time.perf_counter() - started) * 1000)
    finally:
        engine.close()

    every = results["on"] + results["off"]
    ttft = [r["ttft_ms"] for r in every]
    total = [r["total_ms"] for r in every]
    text_on = statistics.mean(_stream_ms(r) / max(1, r["tokens"]) for r in results["on"])
    text_off = statistics.mean(_stream_ms(r) / max(1, r["tokens"]) for r in results["off"])
    report = {
        "chapters_measured": len(every),
        "ttft_ms_median": round(statistics.median(ttft), 1),
        "ttft_ms_max": round(max(ttft), 1),
        "chapter_total_ms_median": round(statistics.median(total), 1),
        "chapter_total_ms_max": round(max(total), 1),
        "save_ms_median": round(statistics.median(saves), 2),
        "save_ms_p95": round(sorted(saves)[int(len(saves) * 0.95) - 1], 2),
        "text_ms_per_token_images_on": round(text_on, 2),
        "text_ms_per_token_images_off": round(text_off, 2),
        "images_on_vs_off_ratio": round(text_on / text_off, 3),
        "targets": {"ttft_ms": 1000, "chapter_ms": 10000, "save_ms": 20, "images_ratio_max": 1.10},
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:34} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
