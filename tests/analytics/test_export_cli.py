"""Training-set export (in process) and the analytics commands of the `studio` CLI (subprocesses)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from engine.analytics import ExportFormat
from engine.engine import Engine, build_engine
from engine.ownership import OPERATOR, Owner
from engine.settings import Settings
from storage.routing import SampleRow
from tests.analytics.conftest import generation, naive_utc
from tests.test_cli import run_studio


def _sample(engine: Engine, *, owner: str, kind: str, prompt: str, answer: str, rating: int | None = None,
            days_ago: float = 0.0, outcome: str = "ok") -> str:
    row = generation(user_id=owner, kind=kind, outcome=outcome, created_at=naive_utc(days_ago))
    engine.generations.record(row)
    engine.analytics._router_log.record_sample(
        SampleRow(generation_id=row.id, created_at=naive_utc(days_ago), owner=owner, kind=kind,
                  messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": prompt}],
                  completion=answer)
    )
    if rating is not None:
        engine.analytics.feedback(row.id, rating, owner=Owner(owner))
    return row.id


def _seed(engine: Engine) -> None:
    _sample(engine, owner="alice", kind="playground", prompt="Hi", answer="Hello!", rating=5)
    _sample(engine, owner="alice", kind="story_chapter", prompt="Begin", answer="Once upon a time", rating=2)
    _sample(engine, owner="bob", kind="story_chapter", prompt="Old", answer="Long ago", days_ago=20)
    _sample(engine, owner="bob", kind="playground", prompt="Fails", answer="partial", outcome="error")


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_formats_and_filters(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    out = tmp_path / "train.jsonl"
    result = engine.analytics.export_training(out, ExportFormat.OPENAI, owner=OPERATOR)
    assert result.count == 3  # the failed call is never training data
    first = _lines(out)[0]
    assert first["messages"][-1] == {"role": "assistant", "content": "Hello!"} or first["messages"][0]["role"] == "system"
    assert all(line["messages"][-1]["role"] == "assistant" for line in _lines(out))

    rated = engine.analytics.export_training(out, ExportFormat.PROMPT_COMPLETION, owner=OPERATOR, min_rating=4)
    assert rated.count == 1 and _lines(out) == [
        {"prompt": "Hi", "completion": "Hello!", "rating": 5.0, "kind": "playground", "system": "Be brief."}
    ]
    recent = engine.analytics.export_training(
        out, owner=OPERATOR, since=date.fromordinal(date.today().toordinal() - 7), kind="story_chapter"
    )
    assert recent.count == 1 and recent.filters["kind"] == "story_chapter"

    split = engine.analytics.export_training(out, owner=OPERATOR, split_by_kind=True)
    assert {Path(p).name: n for p, n in split.files.items()} == {"train.playground.jsonl": 1, "train.story_chapter.jsonl": 2}


def test_export_never_includes_a_deleted_persons_data(engine: Engine, tmp_path: Path) -> None:
    _seed(engine)
    out = tmp_path / "train.jsonl"
    engine.media.tombstones.bury("bob")  # deleted: nothing of theirs may be exported, even a row left behind
    assert engine.analytics.export_training(out, owner=OPERATOR).count == 2
    engine.analytics.delete_owner("alice")
    assert engine.analytics.export_training(out, owner=OPERATOR).count == 0


def test_cli_feedback_route_report_and_export(engine_settings: Settings, tmp_path: Path) -> None:
    with build_engine(engine_settings) as engine:
        _seed(engine)
        target = _sample(engine, owner="carol", kind="playground", prompt="Rate me", answer="Sure")
    data_dir = engine_settings.data_dir
    env = {"STUDIO_MODEL_CACHE_DIR": str(engine_settings.models_dir)}

    rated = run_studio(["feedback", target, "--rating", "4", "--comment", "good"], data_dir, **env)
    assert rated.returncode == 0, rated.stderr
    assert json.loads(rated.stdout.splitlines()[-1])["rating"] == 4
    bad = run_studio(["feedback", target, "--rating", "9"], data_dir, **env)
    assert bad.returncode == 2 and "rating" in bad.stderr
    missing = run_studio(["feedback", "nope", "--rating", "3"], data_dir, **env)
    assert missing.returncode == 2 and "No output nope" in missing.stderr

    routed = run_studio(["route", "Summarise this contract's liability clauses as a JSON table."], data_dir, **env)
    assert routed.returncode == 0, routed.stderr
    decision = json.loads(routed.stdout.splitlines()[-1])
    assert set(decision) == {"complexity", "features", "chosen", "reasons"} and decision["chosen"] == "embedded"

    calibrate = run_studio(["route", "calibrate", "--share", "0.3"], data_dir, **env)
    assert calibrate.returncode == 2 and "no routed requests" in calibrate.stderr

    report = run_studio(["report", "--days", "30", "--json"], data_dir, **env)
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout.splitlines()[-1])
    assert summary["overall"]["requests"] == 5 and summary["overall"]["ratings"] == 3
    text_report = run_studio(["report", "--days", "30"], data_dir, **env)
    assert "Lowest-rated" in text_report.stdout

    out = tmp_path / "out" / "train.jsonl"
    exported = run_studio(
        ["export", "training", "--format", "prompt-completion", "--min-rating", "4", "-o", str(out)], data_dir, **env
    )
    assert exported.returncode == 0, exported.stderr
    result = json.loads(exported.stdout.splitlines()[-1])
    assert result["count"] == 2 and result["filters"] == {
        "format": "prompt-completion", "since": None, "min_rating": 4.0, "kind": None, "split_by_kind": False
    }
    assert {line["prompt"] for line in _lines(out)} == {"Hi", "Rate me"}
