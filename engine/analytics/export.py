"""Training-set export: routed text samples as OpenAI chat fine-tuning lines or prompt/completion lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from engine.analytics.models import ExportFormat

__all__ = ["training_line", "write_jsonl"]


def training_line(fmt: ExportFormat, kind: str, messages_json: str, completion: str, rating: float | None) -> str:
    """One JSONL line (without the newline) for a sample."""
    if fmt is ExportFormat.OPENAI:
        # The stored messages are our own JSON array: splice the answer in rather than re-encode it all.
        head = messages_json.rstrip()
        if head.startswith("[") and head.endswith("]") and head != "[]":
            answer = json.dumps({"role": "assistant", "content": completion}, ensure_ascii=False)
            return '{"messages": ' + head[:-1] + ", " + answer + "]}"
    messages: list[dict[str, str]] = json.loads(messages_json)
    if fmt is ExportFormat.OPENAI:
        return json.dumps({"messages": [*messages, {"role": "assistant", "content": completion}]}, ensure_ascii=False)
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    prompt = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    line: dict[str, Any] = {"prompt": prompt, "completion": completion, "rating": rating, "kind": kind}
    if system:
        line["system"] = system
    return json.dumps(line, ensure_ascii=False)


def _path_for(output: Path, kind: str | None) -> Path:
    if kind is None:
        return output
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in kind) or "unknown"
    return output.with_name(f"{output.stem}.{safe}{output.suffix or '.jsonl'}")


def write_jsonl(
    rows: Iterable[tuple[Any, ...]], fmt: ExportFormat, output: Path, split_by_kind: bool
) -> dict[str, int]:
    """Write (generation_id, created_at, kind, messages, completion, rating) rows; {path: lines}."""
    handles: dict[Path, IO[str]] = {}
    counts: dict[str, int] = {}
    output.parent.mkdir(parents=True, exist_ok=True)
    if not split_by_kind:
        handles[output] = output.open("w", encoding="utf-8")
        counts[str(output)] = 0
    try:
        for _, _, kind, messages, completion, rating in rows:
            path = _path_for(output, kind if split_by_kind else None)
            handle = handles.get(path)
            if handle is None:
                handle = handles[path] = path.open("w", encoding="utf-8")
                counts[str(path)] = 0
            handle.write(training_line(fmt, kind, messages, completion, None if rating is None else float(rating)))
            handle.write("\n")
            counts[str(path)] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts
