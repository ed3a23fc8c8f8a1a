"""The Intent tab's handlers, called as Gradio calls them: each action replaces every output it owns,
empty tables stay hidden, refusals are an inline note (plus a toast), and a correction needs a pick."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import pytest

from engine.engine import Engine, build_engine
from engine.intent import RunStatus
from engine.ownership import OPERATOR
from engine.settings import Settings
from studio import intent_tab
from studio.identity import Identities
from studio.served import use_served_dir

VISITOR = gr.Request(username="tab-visitor")


@pytest.fixture
def tab(engine_settings: Settings) -> Iterator[tuple[gr.Blocks, Engine]]:
    with build_engine(engine_settings) as engine:
        who = Identities(engine, use_served_dir(engine.settings.data_dir))
        with gr.Blocks() as demo:
            intent_tab.build(engine, demo, who)
        yield demo, engine


def handler(demo: gr.Blocks, api_name: str) -> Callable[..., Any]:
    return next(f.fn for f in demo.fns.values() if f.api_name == api_name)


def component(demo: gr.Blocks, kind: type, label: str) -> Any:
    return next(b for b in demo.blocks.values() if isinstance(b, kind) and getattr(b, "label", None) == label)


def by_label(updates: dict[Any, Any]) -> dict[str, Any]:
    return {getattr(c, "label", None) or type(c).__name__: u for c, u in updates.items()}


def test_tables_start_hidden_and_the_correction_starts_without_a_pick(tab: tuple[gr.Blocks, Engine]) -> None:
    demo, _ = tab
    assert component(demo, gr.Dataframe, "Side by side").visible is False
    assert component(demo, gr.Dataframe, "Accuracy and latency").visible is False
    assert component(demo, gr.Dropdown, "The right workflow (pick one)").value is None


def test_classify_after_compare_clears_the_comparison_and_compare_replaces_the_card(
    tab: tuple[gr.Blocks, Engine],
) -> None:
    demo, _ = tab
    compared = handler(demo, "compare")("dye my hair pastel pink", True, VISITOR)
    table = by_label(compared)["Side by side"]
    assert table["visible"] is True and len(table["value"]) == 3
    card = next(u for c, u in compared.items() if isinstance(c, gr.Markdown))
    assert "Compared" in card and "hair_styling" in card
    classified = handler(demo, "classify")("animate this photo", True, "rules", VISITOR)
    tables = by_label(classified)
    assert tables["Side by side"]["visible"] is False  # no earlier comparison beside the new card
    assert tables["Result"]["visible"] is False and tables["Result"]["value"] is None
    assert "image_to_video" in next(u for c, u in classified.items() if isinstance(c, gr.Markdown))


def test_a_refusal_is_an_inline_note_and_clears_the_outputs(tab: tuple[gr.Blocks, Engine]) -> None:
    demo, _ = tab
    updates = handler(demo, "classify")("   ", False, "rules", VISITOR)
    card = next(u for c, u in updates.items() if isinstance(c, gr.Markdown))
    assert card.startswith("**Not done:**") and "prompt" in card
    assert by_label(updates)["Side by side"]["visible"] is False


def test_saving_a_correction_without_a_pick_is_refused(tab: tuple[gr.Blocks, Engine]) -> None:
    demo, engine = tab
    note = next(iter(handler(demo, "correct_intent")("make me blonde", True, None, VISITOR).values()))
    assert "Not saved" in note and "pick the right workflow" in note
    assert engine.intent.retrain() == 0
    saved = handler(demo, "correct_intent")("make me blonde", True, "hair_styling", VISITOR)
    assert "hair_styling" in next(u for c, u in saved.items() if isinstance(c, gr.Markdown))
    assert next(u for c, u in saved.items() if isinstance(c, gr.Dropdown)) is None  # the pick is not kept
    assert engine.intent.retrain() == 1


def test_status_badges_are_words_not_emoji() -> None:
    for status in RunStatus:
        badge = intent_tab._STATUS_BADGE[status]
        assert badge.isascii() and badge[0].isalpha()


def test_a_shown_answer_gets_a_rating_row_that_only_its_owner_may_use(tab: tuple[gr.Blocks, Engine]) -> None:
    demo, engine = tab
    rating_row = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rate-intent")
    assert rating_row.visible is False  # nothing to rate yet
    classified = handler(demo, "classify")("dye my hair pastel pink", True, "rules", VISITOR)
    [generation_id] = [u for c, u in classified.items() if isinstance(c, gr.State)]
    assert generation_id and classified[rating_row]["visible"] is True
    rate = handler(demo, "feedback_intent")
    assert rate(generation_id, 4, "right on", VISITOR) == "Thanks — rated 4/5."
    with pytest.raises(gr.Error):
        rate(generation_id, 1, "", gr.Request(username="another-visitor"))
    assert [f.rating for f in engine.analytics.feedback_for(generation_id, owner=OPERATOR)] == [4]
    refused = handler(demo, "classify")("   ", True, "rules", VISITOR)
    assert [u for c, u in refused.items() if isinstance(c, gr.State)] == [None]  # a refusal is nothing to rate
    assert refused[rating_row]["visible"] is False
