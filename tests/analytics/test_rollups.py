"""Closed-day rollups answer every dashboard exactly as the raw rows do, keep counting what
arrives after a rebuild, and are dropped by a deletion so the deleted owner's rows stop counting."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pandas as pd

from engine.analytics.rollups import RollupMaintainer
from engine.engine import Engine
from engine.ownership import OPERATOR, Owner
from storage.rollups import RollupStore
from storage.routing import DecisionRow, RouterLog
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


def test_a_deletion_bumps_the_epoch_that_a_rebuild_checks(engine: Engine) -> None:
    cursor = engine.db.cursor()
    before = cursor.execute("SELECT n FROM rollup_epoch").fetchone()[0]
    _seed(engine, ALICE, [5])
    engine.deletion.forget(owner=ALICE)
    assert cursor.execute("SELECT n FROM rollup_epoch").fetchone()[0] == before + 1


def _old_decision(engine: Engine, generation_id: str, days_ago: float) -> None:
    log = RouterLog(engine.db)
    log.record_decision(DecisionRow(created_at=naive_utc(days_ago), owner=ALICE.id, kind="playground",
                                    generation_id=generation_id, complexity=0.2, threshold=0.7, features={},
                                    chosen="embedded", tier="local", reasons=["simple"], overhead_ms=0.1))
    log.flush()


def test_a_rating_of_an_output_from_a_closed_day_shows_at_once_and_matches_the_raw_rows(engine: Engine) -> None:
    old = generation(created_at=naive_utc(6), user_id=ALICE.id, kind="story_chapter")
    engine.generations.record(old)
    _old_decision(engine, old.id, 6)
    engine.analytics.refresh_rollups(owner=OPERATOR)
    assert _charts(engine)["ratings"].empty
    engine.analytics.feedback(old.id, 2, owner=ALICE)
    engine.analytics.feedback(old.id, 4, owner=ALICE)  # rated twice: still one decision
    folded = _charts(engine)
    assert folded["ratings"][["workflow", "ratings", "mean_rating", "low_ratings"]].values.tolist() == [
        ["story_chapter", 2, 3.0, 1]
    ]
    router = folded["router"]
    assert router[["decisions", "mean_rating"]].values.tolist() == [[1, 3.0]]
    engine.db.write("DELETE FROM rollup_state")  # the same dashboards from the raw rows
    raw = _charts(engine)
    for name in ("ratings", "router"):
        pd.testing.assert_frame_equal(folded[name], raw[name], check_dtype=False, obj=name)


def test_a_late_rating_discards_a_rebuild_that_read_the_rows_before_it(engine: Engine) -> None:
    old = generation(created_at=naive_utc(5), user_id=ALICE.id)
    engine.generations.record(old)
    engine.analytics.refresh_rollups(owner=OPERATOR)
    store = RollupStore(engine.db)
    rated = threading.Event()
    original_transaction = engine.db.transaction

    def rate_before_storing():  # the rating lands between the rebuild's reads and its write
        if not rated.is_set():
            rated.set()
            engine.analytics.feedback(old.id, 5, owner=ALICE)
        return original_transaction()

    engine.db.transaction = rate_before_storing  # type: ignore[method-assign]
    try:
        assert store.rebuild(date.today() + timedelta(days=1)) is None  # discarded: it missed the rating
    finally:
        engine.db.transaction = original_transaction  # type: ignore[method-assign]
    assert int(_charts(engine)["ratings"]["ratings"].sum()) == 1
