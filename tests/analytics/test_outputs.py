"""Output records (engine/analytics/outputs.py): rated by their owner only, counted in the ratings by
workflow, never as model requests, cost or calls — on the raw rows and on the closed-day rollups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.analytics.outputs import OUTPUT, record_output
from engine.engine import Engine
from engine.errors import NotFound
from engine.ownership import OPERATOR, Owner
from tests.analytics.conftest import generation, naive_utc

ALICE = Owner("alice", visitor=True)
BOB = Owner("bob", visitor=True)


def _talking_photo(engine: Engine, owner: str = "alice") -> str:
    return record_output(engine.generations, kind="talking_photo", owner=owner, made_by="embedded mouth warp",
                         summary="lottery_video", seconds=2.5, user_id="person-1")  # fmt: skip


def test_an_output_record_is_rated_by_its_owner_and_refused_to_another_visitor(engine: Engine) -> None:
    made = _talking_photo(engine)
    assert engine.analytics.feedback(made, 4, "looks like me", owner=ALICE).rating == 4
    with pytest.raises(NotFound):
        engine.analytics.feedback(made, 1, owner=BOB)
    with pytest.raises(NotFound):
        engine.analytics.feedback_for(made, owner=BOB)
    row = engine.db.cursor().execute(
        "SELECT capability, provider, model, kind, owner, latency_ms, cost_usd, outcome FROM generations WHERE id = ?", [made]
    ).fetchone()
    assert row == (OUTPUT, "studio", "embedded mouth warp", "talking_photo", "alice", 2500.0, 0.0, "ok")


def test_outputs_are_not_model_requests_but_their_ratings_show_by_workflow(engine: Engine) -> None:
    call = generation(kind="playground", cost_usd=0.01)
    engine.generations.record(call)
    made = _talking_photo(engine)
    engine.analytics.feedback(made, 2, owner=ALICE)
    engine.analytics.feedback(call.id, 5, owner=ALICE)
    today = date.today()
    charts = engine.analytics.dashboard(today - timedelta(days=1), today, owner=OPERATOR)
    assert charts["requests"]["workflow"].tolist() == ["playground"]
    assert int(charts["requests"]["requests"].sum()) == 1
    ratings = charts["ratings"].set_index("workflow")
    assert ratings.loc["talking_photo", "mean_rating"] == 2 and ratings.loc["playground", "mean_rating"] == 5
    assert engine.analytics.workflows(today, today, owner=OPERATOR) == ["playground"]
    report = engine.analytics.report(7, owner=OPERATOR)
    assert report.overall["requests"] == 1 and report.overall["ratings"] == 2
    assert report.lowest_rated[0]["workflow"] == "talking_photo"
    # The System tab's recent model calls and the per-provider summary leave outputs out too.
    assert [r.id for r in engine.generations.recent(10)] == [call.id]
    assert made in {r.id for r in engine.generations.recent(10, outputs=True)}
    assert {row[0] for row in engine.generations.summary_by_provider()} == {"text"}
    hourly = engine.db.cursor().execute("SELECT sum(requests) FROM v_requests_hourly").fetchone()
    assert hourly == (1,)


def test_closed_day_rollups_leave_outputs_out_of_requests_and_keep_their_ratings(engine: Engine) -> None:
    old_call = generation(kind="playground", created_at=naive_utc(3))
    old_output = generation(kind="scam_call", capability=OUTPUT, provider="studio", model="embedded speech",
                            created_at=naive_utc(3))  # fmt: skip
    for row in (old_call, old_output):
        engine.generations.record(row)
    engine.analytics.feedback(old_output.id, 1, owner=ALICE)
    assert engine.analytics.refresh_rollups(owner=OPERATOR) is not None
    stored = engine.db.cursor().execute("SELECT workflow, requests FROM r_requests_daily").fetchall()
    assert stored == [("playground", 1)]
    today = date.today()
    charts = engine.analytics.dashboard(today - timedelta(days=7), today, owner=OPERATOR)
    assert charts["requests"]["workflow"].tolist() == ["playground"]
    assert charts["ratings"]["workflow"].tolist() == ["scam_call"]
    # A later rating of the closed-day output is folded into the ratings rollup at once.
    engine.analytics.feedback(old_output.id, 5, owner=ALICE)
    ratings = engine.analytics.dashboard(today - timedelta(days=7), today, owner=OPERATOR)["ratings"]
    assert int(ratings["ratings"].sum()) == 2 and float(ratings["mean_rating"].iloc[0]) == 3


def test_deleting_an_owner_removes_their_output_records_and_ratings(engine: Engine) -> None:
    made = _talking_photo(engine)
    engine.analytics.feedback(made, 3, owner=ALICE)
    engine.deletion.forget(owner=ALICE)
    engine.generations.flush()
    assert engine.db.cursor().execute("SELECT count(*) FROM generations WHERE id = ?", [made]).fetchone() == (0,)
    assert engine.db.cursor().execute("SELECT count(*) FROM feedback").fetchone() == (0,)
