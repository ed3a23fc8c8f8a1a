"""Closed-day rollups answer every dashboard exactly as the raw rows do, keep counting what
arrives after a rebuild, and are dropped by a deletion so the deleted owner's rows stop counting."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pandas as pd

from engine.analytics.rollups import RollupMaintainer
from engine.engine import Engine
from engine.ownership import OPERATOR, Owner
from tests.analytics.conftest import generation, naive_utc

ALICE, BOB = Owner("alice"), Owner("bob")


def _seed(engine: Engine, owner: Owner, days: list[float]) -> None:
    for index, days_ago in enumerate(days):
        row = generation(created_at=naive_utc(days_ago), user_id=owner.id, kind=["playground", "story_chapter"][index % 2],
                         outcome="error" if index % 3 == 0 else "ok", cost_usd=0.01 * index)
        engine.generations.record(row)
        engine.analytics.feedback(row.id, 1 + index % 5, owner=owner)


def _charts(engine: Engine) -> dict[str, pd.DataFrame]:
    today = date.today()
    charts = engine.analytics.dashboard(today - timedelta(days=30), today, owner=OPERATOR)
    return {name: frame.sort_values(list(frame.columns)).reset_index(drop=True) for name, frame in charts.items()}


def _requests(engine: Engine) -> int:
    return int(_charts(engine)["requests"]["requests"].sum())


def test_rollups_give_the_same_dashboards_as_the_raw_rows(engine: Engine) -> None:
    _seed(engine, ALICE, [0, 0.5, 2, 3, 3.5, 9, 20])
    raw = _charts(engine)
    assert engine.analytics.refresh_rollups(owner=OPERATOR) is not None  # built: closed days now come from rollups
    assert engine.analytics.refresh_rollups(owner=OPERATOR) is None  # nothing more to do today
    rolled = _charts(engine)
    for name, frame in raw.items():
        pd.testing.assert_frame_equal(rolled[name], frame, check_dtype=False, obj=name)
    report = engine.analytics.report(30, owner=OPERATOR)
    assert report.overall["requests"] == 7


def test_rows_after_a_rebuild_still_count(engine: Engine) -> None:
    _seed(engine, ALICE, [4, 10])
    engine.analytics.refresh_rollups(owner=OPERATOR)
    _seed(engine, BOB, [0, 0.2])  # today's rows: read raw, beside the rollup
    assert _requests(engine) == 4


def test_a_deletion_drops_the_rollups_so_the_owner_stops_counting(engine: Engine) -> None:
    _seed(engine, ALICE, [5, 6, 7])
    _seed(engine, BOB, [5, 8])
    engine.analytics.refresh_rollups(owner=OPERATOR)
    assert _requests(engine) == 5
    engine.deletion.forget(owner=ALICE)
    assert _requests(engine) == 2  # the rollup that counted Alice is gone; raw rows answer
    assert engine.db.cursor().execute("SELECT count(*) FROM r_requests_daily").fetchone() == (0,)
    assert engine.analytics.refresh_rollups(owner=OPERATOR) is not None
    assert _requests(engine) == 2


def test_the_maintainer_rebuilds_in_the_background_only_when_stale() -> None:
    rebuilt = threading.Event()
    calls: list[str] = []

    def stale() -> bool:
        calls.append("stale")
        return not rebuilt.is_set()

    def rebuild() -> float:
        rebuilt.set()
        return 0.1

    maintainer = RollupMaintainer(stale, rebuild, interval_s=0.01)
    maintainer.start()
    try:
        assert rebuilt.wait(10)
    finally:
        maintainer.stop()
    assert maintainer.run_once() is None  # no longer stale: nothing rebuilt
