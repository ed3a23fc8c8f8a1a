"""Generation records for outputs that no single routed text call made, so that they can be rated.

A routed text call (engine/routing/text.py) or a direct gateway call given a
`CallContext(generation_id=...)` already has a `generations` row to rate. A scenario scene, a
talking photo, a scam call, the caricature, a narration, an intent classification or an intent
run is made from several calls, or from none (OpenCV, a cache, rules): each gets one row of its
own here, with its owner, and its id rides on the result for the feedback widget.

```python
generation_id = record_output(log, kind="talking_photo", owner=user.owner, made_by="embedded mouth warp",
                              summary="lottery_video", seconds=2.1)
```

These rows have capability `output` (`OUTPUT`): they are outputs, not model calls, so the
dashboards that count requests, cost and errors leave them out (migration 020), the router's
measurements read only `text` calls, and the ratings by workflow count their ratings.
"""

from __future__ import annotations

import uuid

from storage.generations import OUTPUT_CAPABILITY, GenerationLog, GenerationRecord

__all__ = ["OUTPUT", "new_output_id", "record_output"]

OUTPUT = OUTPUT_CAPABILITY
PROVIDER = "studio"


def new_output_id() -> str:
    return uuid.uuid4().hex


def record_output(
    log: GenerationLog,
    *,
    kind: str,
    owner: str,
    made_by: str,
    summary: str,
    seconds: float = 0.0,
    user_id: str | None = None,
    job_id: str | None = None,
    generation_id: str | None = None,
) -> str:
    """Record one finished output of `owner` (buffered, like every generation row); its id.

    `kind` is the workflow the ratings dashboard groups it under, `made_by` what made it (a model,
    a method); `generation_id` when the caller stored the id with its output first (a new one
    otherwise). Nothing is stored for a deleted owner (the id is still returned, and rates nothing)."""
    if not owner or not kind or not made_by:
        raise ValueError("an output record needs its owner, kind and maker")
    generation_id = generation_id or new_output_id()
    log.record(
        GenerationRecord(
            id=generation_id,
            user_id=user_id,
            job_id=job_id,
            owner=owner,
            capability=OUTPUT,
            provider=PROVIDER,
            model=made_by[:200],
            request_summary=summary[:500],
            latency_ms=max(0.0, seconds) * 1000,
            outcome="ok",
            kind=kind,
        )
    )
    return generation_id
