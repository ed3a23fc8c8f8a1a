"""Dashboard queries on a large generations table, against pandas in the same run; router
decision overhead; training export of 100 k records.

    .venv/bin/python bench/bench_analytics.py [--rows 10000000] [--runs 5] [--threads 2]

Seeds `--rows` generations rows (default 10 M) with INSERT ... SELECT from range(), oldest first
as the studio writes them, plus 1 % of them rated, 10 % routed, 1 M intent classifications, 1 M
model selections (one per classification) and 1 M queue jobs. Each
dashboard query (the same SQL the Analytics tab runs, over the whole 90-day range) is timed
p50 over `--runs`, first on the raw rows, then on the closed-day rollups the tab reads
(storage/rollups.py: two days of raw rows plus one row per day and group); pandas runs the same aggregation on DataFrames already in memory (loading
them is not counted, which favours pandas). Targets: each query <= 300 ms p50 on 10 M rows on
2 cores and >= 10x pandas; router decision <= 1 ms p50; export of 100 k records <= 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import pandas as pd

from bench.timing import median_ms
from engine.analytics.export import write_jsonl
from engine.analytics.models import ExportFormat
from engine.providers.registry import ProviderRegistry
from engine.routing.router import HybridRouter
from engine.settings import load_settings
from storage.analytics import AnalyticsRepository
from storage.database import Database
from storage.routing import RouterLog

DAYS = 90
SEED_SQL = [
    # generations: 6 kinds, 3 models, 5 % errors, 3 % fallbacks, spread over 90 days
    """INSERT INTO generations (id, created_at, user_id, capability, provider, model, request_summary, latency_ms,
       cost_usd, outcome, error, fallback_from, kind, ttft_ms)
       SELECT 'g' || i, now()::TIMESTAMP - to_seconds(i % ($days * 86400)), 'user' || (i % 5000), 'text',
              ['embedded', 'openai', 'gemini'][1 + i % 3], ['SmolLM2', 'gpt-4o-mini', 'gemini-2.5-flash'][1 + i % 3],
              'prompt', 20 + ((hash(i) % 1000000)::BIGINT % 2000), CASE WHEN i % 3 = 0 THEN 0 ELSE 0.0003 END,
              CASE WHEN (hash(i) % 1000000)::BIGINT % 20 = 0 THEN 'error' ELSE 'ok' END,
              CASE WHEN (hash(i) % 1000000)::BIGINT % 20 = 0 THEN 'timeout' END,
              CASE WHEN (hash(i) % 1000000)::BIGINT % 33 = 0 THEN 'openai' END,
              ['playground', 'story_chapter', 'persona_post', 'classification', 'narration', 'speech'][1 + i % 6],
              5 + ((hash(i) % 1000000)::BIGINT % 200)
       FROM range($rows) t(i) ORDER BY i % ($days * 86400) DESC""",
    """INSERT INTO feedback SELECT 'f' || i, now()::TIMESTAMP, 'user' || (i % 5000), 'g' || i, 1 + (hash(i) % 1000000)::BIGINT % 5, NULL
       FROM range(0, $rows, 100) t(i)""",
    """INSERT INTO router_decisions SELECT 'd' || i, now()::TIMESTAMP - to_seconds(i % ($days * 86400)),
       'user' || (i % 5000), ['playground', 'story_chapter', 'persona_post'][1 + i % 3], 'g' || i,
       ((hash(i) % 1000000)::BIGINT % 1000) / 1000.0, 0.7, '{}', ['embedded', 'openai'][1 + i % 2], ['local', 'strong'][1 + i % 2],
       '[]', 0.05 FROM range(0, $rows, 10) t(i) ORDER BY i % ($days * 86400) DESC""",
    """INSERT INTO intent_classifications SELECT 'c' || i, now()::TIMESTAMP - to_seconds(i % ($days * 86400)),
       'user' || (i % 5000), 'prompt ' || (i % 1000), false, ['rules', 'embedding', 'llm'][1 + i % 3],
       ['edit', 'hair', 'video'][1 + (hash(i) % 1000000)::BIGINT % 3], ((hash(i) % 1000000)::BIGINT % 100) / 100.0, 1 + (hash(i) % 1000000)::BIGINT % 50,
       CASE WHEN i % 17 = 0 THEN 'rules' END, i % 4 = 0, 'closed', false, NULL, 'user' || (i % 5000) FROM range(1000000) t(i)
       ORDER BY i % ($days * 86400) DESC""",
    """INSERT INTO intent_corrections SELECT 'k' || i, now()::TIMESTAMP, 'u', 'prompt ' || i, false,
       ['edit', 'hair', 'video'][1 + i % 3], 'u' FROM range(1000) t(i)""",
    """INSERT INTO jobs (id, kind, payload, priority, status, parents, max_retries, timeout_s, device, created_at,
       started_at, finished_at, updated_at)
       SELECT 'j' || i, ['text', 'speech', 'image'][1 + i % 3], '{}', 1, ['completed', 'failed'][1 + (i % 10 = 0)::INT],
       [], 2, 60, ['cpu', 'cuda:0'][1 + i % 2], now()::TIMESTAMP - to_seconds(i % ($days * 86400)),
       now()::TIMESTAMP - to_seconds(i % ($days * 86400)) + INTERVAL 2 SECOND,
       now()::TIMESTAMP - to_seconds(i % ($days * 86400)) + INTERVAL 5 SECOND, now()::TIMESTAMP
       FROM range(1000000) t(i)""",
    """INSERT INTO intent_selections SELECT 's' || i, now()::TIMESTAMP - to_seconds(i % ($days * 86400)), 'u', 'p',
       false, 'edit', 0.9, 'rules', 'balanced', ['opencv', 'flux'][1 + i % 2], 'embedded', [], 0.01, 2.0, 'p',
       ['done', 'failed'][1 + (i % 9 = 0)::INT], 'm', 0.012, 2.5, NULL, NULL, NULL, 'ok', 'u' FROM range(1000000) t(i)""",
    """INSERT INTO text_samples SELECT 'g' || i, now()::TIMESTAMP, 'user' || (i % 5000),
       ['playground', 'story_chapter'][1 + i % 2],
       '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Tell me about item ' || i || '"}]',
       'Item ' || i || ' is a fine thing with a long enough answer to look like real text.'
       FROM range(0, 100000) t(i)""",
]


def _day(frame: pd.DataFrame, column: str = "created_at") -> pd.Series:
    return frame[column].dt.floor("D")


def pandas_queries(db: Database, start: date, end: date) -> dict[str, Callable[[], object]]:
    """The same aggregations as storage/analytics.py, on DataFrames loaded once."""
    cursor = db.cursor()
    gens = cursor.execute(
        "SELECT id, created_at, coalesce(kind, capability) AS workflow, model, outcome, cost_usd, latency_ms FROM generations"
    ).df()
    for column in ("workflow", "model", "outcome"):
        gens[column] = gens[column].astype("category")
    feedback = cursor.execute("SELECT generation_id, rating FROM feedback").df()
    decisions = cursor.execute("SELECT created_at, kind, tier, chosen, generation_id, complexity FROM router_decisions").df()
    intents = cursor.execute("SELECT * FROM intent_classifications").df()
    corrections = cursor.execute("SELECT prompt, has_image, workflow, created_at FROM intent_corrections").df()
    jobs = cursor.execute("SELECT * FROM jobs").df()
    selections = cursor.execute("SELECT * FROM intent_selections").df()
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)

    def requests() -> object:
        g = gens[(gens.created_at >= lo) & (gens.created_at < hi)]
        return g.assign(day=_day(g), errors=g.outcome == "error").groupby(["day", "workflow", "model"], observed=True).agg(
            requests=("id", "size"), errors=("errors", "sum"), cost_usd=("cost_usd", "sum"), latency=("latency_ms", "mean")
        )

    def ratings() -> object:
        joined = feedback.merge(gens, left_on="generation_id", right_on="id")
        joined = joined[(joined.created_at >= lo) & (joined.created_at < hi)]
        return joined.groupby(["workflow", "model"], observed=True)["rating"].agg(["size", "mean"])

    def router() -> object:
        joined = decisions.merge(gens, left_on="generation_id", right_on="id", how="left", suffixes=("", "_g"))
        joined = joined.merge(feedback, on="generation_id", how="left")
        joined = joined[(joined.created_at >= lo) & (joined.created_at < hi)]
        return joined.assign(ok=joined.outcome == "ok").groupby(["kind", "tier", "chosen", "model"], observed=True).agg(
            decisions=("kind", "size"), ok=("ok", "mean"), complexity=("complexity", "mean"),
            cost=("cost_usd", "sum"), rating=("rating", "mean"),
        )

    def intent_methods() -> object:
        i = intents[(intents.created_at >= lo) & (intents.created_at < hi)]
        return i.assign(fb=i.fallback_used.notna()).groupby("method").agg(
            n=("id", "size"), conf=("confidence", "mean"), fb=("fb", "mean"), hit=("cache_hit", "mean"),
            lat=("latency_ms", "mean"),
        )

    def classifier_ab() -> object:
        i = intents[(intents.created_at >= lo) & (intents.created_at < hi)]
        latest = corrections.sort_values("created_at").groupby(["prompt", "has_image"], as_index=False).last()
        joined = i.merge(latest, on=["prompt", "has_image"], how="left", suffixes=("", "_k"))
        joined["right"] = joined.workflow_k.notna() & (joined.workflow_k == joined.workflow)
        return joined.groupby("method").agg(n=("id", "size"), corrected=("workflow_k", "count"), right=("right", "sum"))

    def selection() -> object:
        s = selections[(selections.created_at >= lo) & (selections.created_at < hi)]
        s = s.assign(done=s.status == "done", cerr=(s.actual_cost_usd - s.estimated_cost_usd).abs(),
                     serr=(s.actual_seconds - s.estimated_seconds).abs())
        return s.groupby("selected_model").agg(n=("id", "size"), done=("done", "mean"), c=("cerr", "mean"), s=("serr", "mean"))

    def queue() -> object:
        j = jobs[(jobs.created_at >= lo) & (jobs.created_at < hi)]
        j = j.assign(day=_day(j), wait=(j.started_at - j.created_at).dt.total_seconds(),
                     run=(j.finished_at - j.started_at).dt.total_seconds())
        return j.groupby(["day", "kind", "device"]).agg(n=("id", "size"), wait=("wait", "mean"), run=("run", "mean"))

    return {"requests": requests, "ratings": ratings, "router": router, "intent_methods": intent_methods,
            "classifier_ab": classifier_ab, "selection": selection, "queue": queue}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.duckdb")
        db.cursor().execute(f"SET threads = {int(args.threads)}")
        started = time.perf_counter()
        for sql in SEED_SQL:
            db.write(sql.replace("$rows", str(int(args.rows))).replace("$days", str(DAYS)))
        db.cursor().execute("CHECKPOINT")
        print(f"seeded {args.rows:,} generations (+ feedback, decisions, intent, jobs) in {time.perf_counter() - started:.1f} s"
              f" with {args.threads} DuckDB threads")

        repo = AnalyticsRepository(db)
        start, end = date.today() - timedelta(days=DAYS), date.today() + timedelta(days=1)
        pandas = pandas_queries(db, start, end)
        names = ("requests", "ratings", "router", "intent_methods", "classifier_ab", "selection", "queue", "narration")
        raw = {name: median_ms(lambda n=name: repo.dashboard(n, start, end, None), args.runs, warmup=1) for name in names}
        rebuild_s = repo.rebuild_rollups() or 0.0
        print(f"closed-day rollups rebuilt in {rebuild_s:.2f} s (background, once a day and after a deletion;"
              " the write lock is held only to store the result)")
        print(f"\n{'query':<16}{'raw rows ms':>13}{'rollups ms':>12}{'pandas ms':>11}{'ratio':>9}"
              "   targets: <= 300 ms, >= 10x pandas (p50)")
        for name in names:
            duck = median_ms(lambda n=name: repo.dashboard(n, start, end, None), args.runs, warmup=1)
            if name in pandas:
                base = median_ms(pandas[name], args.runs, warmup=1)
                print(f"{name:<16}{raw[name]:>13.1f}{duck:>12.1f}{base:>11.1f}{base / duck:>8.1f}x")
            else:
                print(f"{name:<16}{raw[name]:>13.1f}{duck:>12.1f}{'-':>11}{'-':>9}")
        opening = median_ms(lambda: [repo.dashboard(n, start, end, None) for n in names], args.runs, warmup=1)
        print(f"{'whole tab':<16}{'':>13}{opening:>12.1f}   every chart the Analytics tab draws on opening (target < 1 s)")
        since = datetime.now() - timedelta(days=30)
        for label, fn in (("report overall", lambda: repo.overall(since)), ("report trends", lambda: repo.trends(since))):
            print(f"{label:<16}{median_ms(fn, args.runs, warmup=1):>15.1f}")

        settings = load_settings(data_dir=folder, _env_file=None)
        registry = ProviderRegistry(settings)
        registry.load_plugins()
        log = RouterLog(db)
        router = HybridRouter(settings, registry, log)
        started = time.perf_counter()
        router.performance(wait=True)
        refresh_ms = (time.perf_counter() - started) * 1000
        prompt = "First explain the contract's liability clauses, then give a JSON table of the risks?"
        decide = median_ms(lambda: router.decide(prompt, kind="story_chapter"), 2000, warmup=1)
        print(f"\nrouter decision p50 {decide * 1000:.0f} us (target <= 1 ms); performance refresh (background,"
              f" once a minute) {refresh_ms:.0f} ms")

        out = Path(folder) / "train.jsonl"
        started = time.perf_counter()
        files = write_jsonl(repo.training_rows(None, None, None), ExportFormat.OPENAI, out, split_by_kind=False)
        print(f"export of {sum(files.values()):,} records: {time.perf_counter() - started:.2f} s (target <= 5 s)")
        log.close()
        db.close()
    print("\nThe machine is shared; numbers vary between runs.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
