"""Cache hit latency, in-process and in Redis on loopback, against baselines from the same run.

    .venv/bin/python bench/bench_cache.py [--redis-url redis://127.0.0.1:6379/15] [--no-model]

Baselines: a plain dict lookup (the floor) and, unless --no-model, what a miss costs the
embedding classifier: one all-MiniLM-L6-v2 embedding of the prompt (engine.intent does not
exist yet). Targets: memory hit <= 0.5 ms, Redis hit <= 2 ms (median).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import redis

from bench.timing import median_ms
from engine.ownership import Owner
from engine.resilience import MemoryCache, RedisCache, cache_key, normalise_text
from engine.resilience.cache import redis_client

PROMPT = "A watercolour of a lighthouse at dusk, with gulls, for a children's book"


def embed_baseline(repeat: int) -> float | None:
    try:
        from engine.providers.embedded.embeddings import EmbeddedEmbedder
        from engine.settings import Settings

        embedder = EmbeddedEmbedder(Settings(use_cuda=False))
    except Exception as exc:  # a benchmark reports what it could not measure
        print(f"# embedding baseline skipped: {exc}", file=sys.stderr)
        return None
    return median_ms(lambda: embedder.embed([PROMPT]), repeat, warmup=3)


def service_hit_ms(redis_url: str | None, repeat: int) -> float:
    """A repeated request through `IntentService.classify`: limits, cache, and the buffered log."""
    import tempfile

    from engine.engine import build_engine
    from engine.settings import Settings

    settings = Settings(
        data_dir=Path(tempfile.mkdtemp(prefix="bench-cache-")), redis_url=redis_url,
        redis_namespace=f"bench-{uuid.uuid4().hex[:8]}", rate_limit_per_minute="", rate_limit_per_hour="",
    )
    with build_engine(settings) as engine:
        engine.intent.classify(PROMPT, False, "rules", owner=Owner("bench"))
        return median_ms(lambda: engine.intent.classify(PROMPT, False, "rules", owner=Owner("bench")), repeat, warmup=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--no-model", action="store_true", help="skip the embedding baseline")
    args = parser.parse_args()

    key = cache_key(normalise_text(PROMPT), False, "embedding")
    value = '{"workflow": "text_to_image", "confidence": 0.93}'
    floor = {key: value}
    dict_ms = median_ms(lambda: floor.get(key), args.repeat, warmup=20)

    memory = MemoryCache(maxsize=10_000, ttl_s=3600)
    memory.set(key, value)
    memory_ms = median_ms(lambda: memory.get(key), args.repeat, warmup=20)
    key_ms = median_ms(lambda: cache_key(normalise_text(PROMPT), False, "embedding"), args.repeat, warmup=20)

    redis_ms: float | None = None
    prefix = f"bench-cache-{uuid.uuid4().hex[:8]}"
    client = redis_client(args.redis_url)
    try:
        client.ping()
        cache = RedisCache(client, prefix=prefix, ttl_s=60)
        cache.set(key, value)
        redis_ms = median_ms(lambda: cache.get(key), args.repeat, warmup=20)
    except redis.RedisError as exc:
        print(f"# redis skipped: {exc}", file=sys.stderr)
    finally:
        try:
            client.delete(f"{prefix}:{key}")
        except redis.RedisError:
            pass

    embed_ms = None if args.no_model else embed_baseline(max(20, args.repeat // 50))
    service_memory_ms = service_hit_ms(None, args.repeat // 4)
    service_redis_ms = service_hit_ms(args.redis_url, args.repeat // 4) if redis_ms is not None else None

    print(f"baseline_dict_lookup_ms={dict_ms:.5f}")
    print(f"cache_key_ms={key_ms:.4f}")
    print(
        f"cache_hit_memory_ms={memory_ms:.4f} ratio_vs_dict={memory_ms / dict_ms:.1f}"
        f" target_ms=0.5 ok={memory_ms <= 0.5}"
    )
    if redis_ms is not None:
        print(
            f"cache_hit_redis_ms={redis_ms:.4f} ratio_vs_dict={redis_ms / dict_ms:.1f}"
            f" target_ms=2.0 ok={redis_ms <= 2.0}"
        )
    print(
        f"service_classify_hit_memory_ms={service_memory_ms:.4f} ratio_vs_cache_hit={service_memory_ms / memory_ms:.1f}"
        f" target_ms=0.5 ok={service_memory_ms <= 0.5}"
    )
    if service_redis_ms is not None and redis_ms is not None:
        print(
            f"service_classify_hit_redis_ms={service_redis_ms:.4f} ratio_vs_cache_hit={service_redis_ms / redis_ms:.1f}"
            f" target_ms=2.0 ok={service_redis_ms <= 2.0}"
        )
    if embed_ms is not None:
        print(f"baseline_embed_miss_ms={embed_ms:.3f}")
        print(f"speedup_memory_hit_vs_embed={embed_ms / memory_ms:.0f}x")
        if redis_ms is not None:
            print(f"speedup_redis_hit_vs_embed={embed_ms / redis_ms:.0f}x")


if __name__ == "__main__":
    main()
