"""Feedback with ownership, dashboard views, the report and access, on a real DuckDB."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.engine import Engine
from engine.errors import InvalidRequest, NotFound
from engine.ownership import OPERATOR, Owner
from engine.settings import load_settings
from storage.routing import DecisionRow
from tests.analytics.conftest import generation, naive_utc

ALICE = Owner("alice")
BOB = Owner("bob")


def test_an_owner_rates_their_output_and_nobody_elses(engine: Engine) -> None:
    mine, theirs = generation(user_id="alice"), generation(user_id="bob")
    engine.generations.record(mine)
    engine.generations.record(theirs)
    saved = engine.analytics.feedback(mine.id, 4, "  nice  ", owner=ALICE)
    assert (saved.generation_id, saved.rating, saved.comment) == (mine.id, 4, "nice")
    with pytest.raises(NotFound) as other:
        engine.analytics.feedback(theirs.id, 5, owner=ALICE)
    with pytest.raises(NotFound) as missing:
        engine.analytics.feedback("no-such-id", 5, owner=ALICE)
    assert other.value.user_message.replace(theirs.id, "X") == missing.value.user_message.replace("no-such-id", "X")
    assert engine.analytics.feedback(theirs.id, 1, owner=OPERATOR).rating == 1  # an admin may rate anything
    row = engine.db.cursor().execute("SELECT owner FROM feedback WHERE generation_id = ?", [mine.id]).fetchone()
    assert row == ("alice",)
    assert [f.rating for f in engine.analytics.feedback_for(mine.id, owner=ALICE)] == [4]
    with pytest.raises(NotFound):
        engine.analytics.feedback_for(mine.id, owner=BOB)


@pytest.mark.parametrize("rating", [0, 6, 3.5, True])
def test_ratings_outside_one_to_five_are_refused(engine: Engine, rating: object) -> None:
    row = generation()
    engine.generations.record(row)
    with pytest.raises(InvalidRequest, match="rating"):
        engine.analytics.feedback(row.id, rating, owner=ALICE)  # type: ignore[arg-type]


def test_deleting_an_owner_removes_their_feedback_and_ratings_of_their_outputs(engine: Engine) -> None:
    mine = generation(user_id="alice")
    engine.generations.record(mine)
    engine.analytics.feedback(mine.id, 5, owner=ALICE)
    engine.analytics.feedback(mine.id, 2, owner=OPERATOR)
    engine.analytics.delete_owner("alice")
    assert engine.db.cursor().execute("SELECT count(*) FROM feedback").fetchone() == (0,)


def _seed(engine: Engine) -> None:
    for days_ago, kind, model, outcome, cost in [
        (0, "playground", "small", "ok", 0.0),
        (0, "playground", "small", "error", 0.0),
        (0, "story_chapter", "big", "ok", 0.01),
        (3, "story_chapter", "big", "ok", 0.02),
        (40, "story_chapter", "big", "ok", 0.04),
    ]:
        row = generation(created_at=naive_utc(days_ago), kind=kind, model=model, outcome=outcome, cost_usd=cost,
                         error="boom" if outcome == "error" else None)
        engine.generations.record(row)
        if outcome == "ok":
            engine.analytics.feedback(row.id, 2 if model == "small" else 5, owner=ALICE)


def test_dashboard_charts_filter_by_date_range_and_workflow(engine: Engine) -> None:
    _seed(engine)
    today = date.today()
    charts = engine.analytics.dashboard(today - timedelta(days=7), today, owner=OPERATOR)
    requests = charts["requests"]
    assert int(requests["requests"].sum()) == 4
    assert requests.groupby("workflow")["requests"].sum().to_dict() == {"playground": 2, "story_chapter": 2}
    assert float(requests["cost_usd"].sum()) == pytest.approx(0.03)
    ratings = charts["ratings"].set_index("model")
    assert ratings.loc["small", "mean_rating"] == 2 and ratings.loc["big", "mean_rating"] == 5
    only = engine.analytics.dashboard(today - timedelta(days=7), today, "story_chapter", owner=OPERATOR)
    assert set(only["requests"]["workflow"]) == {"story_chapter"}
    wide = engine.analytics.dashboard(today - timedelta(days=60), today, owner=OPERATOR)
    assert int(wide["requests"]["requests"].sum()) == 5
    assert set(charts) >= {"requests", "ratings", "router", "intent_methods", "classifier_ab", "selection", "queue", "narration"}
    assert engine.analytics.workflows(today - timedelta(days=7), today, owner=OPERATOR) == ["playground", "story_chapter"]
    with pytest.raises(InvalidRequest, match="end"):
        engine.analytics.dashboard(today, today - timedelta(days=1), owner=OPERATOR)


def test_intent_views_measure_methods_and_accuracy_on_corrections(engine: Engine) -> None:
    cursor = engine.db.cursor()
    now = naive_utc()
    for index, (method, workflow, cache_hit) in enumerate(
        [("rules", "edit", False), ("rules", "edit", True), ("embedding", "hair", False), ("embedding", "edit", False)]
    ):
        prompt = "give me curtain bangs" if index % 2 == 0 else "make it brighter"
        cursor.execute(
            "INSERT INTO intent_classifications (id, created_at, user_id, prompt, has_image, method, workflow,"
            " confidence, latency_ms, fallback_used, cache_hit, breaker_state, rate_limited, error)"
            " VALUES (?, ?, 'alice', ?, false, ?, ?, 0.8, 10, NULL, ?, 'closed', false, NULL)",
            [f"c{index}", now, prompt, method, workflow, cache_hit],
        )
    cursor.execute(
        "INSERT INTO intent_corrections VALUES ('k1', ?, 'alice', 'give me curtain bangs', false, 'hair', 'alice')", [now]
    )
    charts = engine.analytics.dashboard(date.today(), date.today(), "intent", owner=OPERATOR)
    methods = charts["intent_methods"].set_index("method")
    assert methods.loc["rules", "cache_hit_rate"] == 0.5
    ab = charts["classifier_ab"].set_index("method")
    assert ab.loc["rules", "accuracy_on_corrections"] == 0.0 and ab.loc["embedding", "accuracy_on_corrections"] == 1.0


def test_report_summarises_and_finds_bad_routing(engine: Engine) -> None:
    _seed(engine)
    local_bad = generation(kind="playground", model="small")
    engine.generations.record(local_bad)
    engine.analytics.feedback(local_bad.id, 1, owner=ALICE)
    engine.analytics._router_log.record_decision(
        DecisionRow(kind="playground", generation_id=local_bad.id, complexity=0.1, threshold=0.7, features={},
                    chosen="embedded", tier="local", reasons=["easy"], overhead_ms=0.1)
    )
    report = engine.analytics.report(30, owner=OPERATOR)
    assert report.overall["requests"] == 5 and report.overall["success_rate"] == pytest.approx(0.8)
    assert report.overall["satisfaction"] == pytest.approx((2 + 5 + 5 + 1) / 4)
    assert report.lowest_rated[0]["model"] == "small"
    assert report.frequent_errors[0]["error"] == "boom"
    assert [b["generation_id"] for b in report.bad_routing] == [local_bad.id]
    assert report.bad_routing[0]["problem"] == "low rating on the local model"


def test_analytics_are_for_admins_when_auth_is_on(engine: Engine) -> None:
    from engine.analytics import build_analytics

    settings = load_settings(
        data_dir=engine.settings.data_dir, auth_username="admin", auth_password="x", admin_users="admin", _env_file=None
    )
    analytics, _ = build_analytics(settings, engine.db, engine.models, engine.generations)
    try:
        assert not analytics.can_view(ALICE) and analytics.can_view(Owner("admin", admin=True))
        with pytest.raises(InvalidRequest, match="STUDIO_ADMIN_USERS"):
            analytics.dashboard(date.today(), date.today(), owner=ALICE)
        with pytest.raises(InvalidRequest, match="STUDIO_ADMIN_USERS"):
            analytics.report(owner=ALICE)
    finally:
        analytics.close()
