"""The Analytics tab and the feedback widget in the running app, driven through `gradio_client`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from gradio_client import Client

from engine.engine import Engine
from engine.ownership import Owner
from engine.settings import Settings
from tests.analytics.conftest import generation, naive_utc
from tests.support.studio_app import running_studio


@pytest.fixture
def app(engine_settings: Settings) -> Iterator[tuple[Engine, str]]:
    with running_studio(engine_settings) as running:
        yield running


def _csv_rows(path: str) -> list[dict[str, Any]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_dashboard_serves_charts_and_csv(app: tuple[Engine, str]) -> None:
    engine, url = app
    for days_ago, kind in [(0, "playground"), (1, "story_chapter"), (1, "story_chapter"), (50, "playground")]:
        engine.generations.record(generation(created_at=naive_utc(days_ago), kind=kind, cost_usd=0.01))
    today = date.today()
    result = Client(url, verbose=False).predict(
        (today - timedelta(days=7)).isoformat(), today.isoformat(), "all workflows", api_name="/analytics_dashboard"
    )
    texts = [r for r in result if isinstance(r, str)]
    assert any("3 model calls" in t for t in texts)
    csv_paths = [r for r in result if isinstance(r, str) and r.endswith(".csv")]
    assert len(csv_paths) == 8
    requests_csv = next(p for p in csv_paths if "requests_" in p)
    rows = _csv_rows(requests_csv)
    assert sum(int(r["requests"]) for r in rows) == 3 and {r["workflow"] for r in rows} == {"playground", "story_chapter"}

    with pytest.raises(Exception, match="YYYY-MM-DD"):
        Client(url, verbose=False).predict("yesterday", today.isoformat(), "all workflows", api_name="/analytics_dashboard")


def test_feedback_widget_rates_the_sessions_own_output(app: tuple[Engine, str]) -> None:
    engine, url = app
    client = Client(url, verbose=False)
    with pytest.raises(Exception, match="make an output first"):
        client.predict(4, "", api_name="/feedback_speech")
    client.predict("Rate me, please.", "en-us", 50, 175, api_name="/generate_speech")
    assert client.predict(4, "clear voice", api_name="/feedback_speech") == "Thanks — rated 4/5."
    owner, rating, comment, kind, made_by = engine.db.cursor().execute(
        "SELECT f.owner, f.rating, f.comment, g.kind, g.owner FROM feedback f JOIN generations g ON g.id = f.generation_id"
    ).fetchone()
    assert (rating, comment, kind) == (4, "clear voice", "playground_speech")
    assert owner == made_by and len(owner) >= 22  # the visitor's own unguessable key rated their own output


@pytest.fixture
def story_app(engine_settings: Settings) -> Iterator[tuple[Engine, str]]:
    settings = engine_settings.model_copy(update={"text_provider": "story-fake", "router_threshold": 0.0})
    with running_studio(settings, plugins=["tests.story.fakes"]) as running:
        yield running


def test_a_story_chapter_is_rated_from_the_story_tab(story_app: tuple[Engine, str]) -> None:
    engine, url = story_app
    alice, bob = Client(url, verbose=False), Client(url, verbose=False)
    with pytest.raises(Exception, match="start an adventure first"):
        alice.predict(4, "", api_name="/feedback_story")
    alice.predict("harbor-town", "phishing-emails", 3, api_name="/story_start")
    assert alice.predict(4, "lovely harbour", api_name="/feedback_story") == "Thanks — rated 4/5."
    with pytest.raises(Exception, match="click a picture first"):
        alice.predict(4, "", api_name="/feedback_story_picture")
    with pytest.raises(Exception, match="start an adventure first"):  # bob's session has no chapter of its own
        bob.predict(5, "", api_name="/feedback_story")
    rater, rating, comment, kind, made_for = engine.db.cursor().execute(
        "SELECT f.owner, f.rating, f.comment, g.kind, g.owner FROM feedback f JOIN generations g ON g.id = f.generation_id"
    ).fetchone()
    assert (rating, comment, kind) == (4, "lovely harbour", "story_chapter") and rater == made_for
    [decision] = [d for d in engine.analytics.decisions(10, owner=Owner("root", admin=True)) if d.kind == "story_chapter"]
    assert decision.owner == made_for and decision.chosen == "story-fake"
