"""The Persona templates tab builds on the engine's persona service and exposes its eight API endpoints."""

from __future__ import annotations

from typing import Any

import gradio as gr

from engine.ownership import OPERATOR, Owner
from engine.personas import PersonaProfile
from studio import personas_tab
from studio.identity import Identities
from tests.personas.conftest import EngineFactory

VISITOR = gr.Request(username="tab-visitor")
API_NAMES = {"persona_save", "persona_list", "persona_image", "persona_transition", "persona_text", "persona_batch",
             "persona_export", "persona_import", "persona_use_batch_image", "feedback_persona_post",
             "feedback_persona_image"}


def test_persona_tab_builds_with_its_api_names(make_engine: EngineFactory) -> None:
    engine = make_engine()
    with gr.Blocks() as demo:
        personas_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    names = {fn.api_name for fn in demo.fns.values()}
    assert API_NAMES <= names


def _handler(demo: gr.Blocks, name: str) -> Any:
    return next(f.fn for f in demo.fns.values() if f.api_name == name or getattr(f.fn, "__name__", "") == name)


def test_a_reopened_persona_shows_its_batch_and_rates_the_selected_image_as_its_generation(
    make_engine: EngineFactory,
) -> None:
    engine = make_engine(image_provider="face-fake", fallback_providers=[], cpu_workers=2)
    with gr.Blocks() as demo:
        personas_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    ada = engine.personas.create(PersonaProfile(name="Ada", themes=["robotics"]), owner=Owner(VISITOR.username))
    made = engine.personas.batch(ada.id, ["at the lab", "FAIL please", "on stage"], owner=Owner(VISITOR.username))
    ids = [i.generation_id for i in made if i.status == "completed"]
    assert len(ids) == 2 and all(ids)

    # a later session opens Ada: her stored batch is back in the gallery, each image with its generation id
    opened = {getattr(c, "label", None) or type(c).__name__: u
              for c, u in _handler(demo, "persona_open")(ada.id, VISITOR).items()}
    assert len(opened["Batch"]) == 2 and opened["Where each image ran"]["visible"] is True
    states = [u for c, u in _handler(demo, "persona_open")(ada.id, VISITOR).items() if isinstance(c, gr.State)]
    assert ids in states  # the ids of the shown images, in gallery order
    image_ids = [i.id for i in made if i.status == "completed"]
    assert image_ids in states  # and the image id of each, what "Use as base image" takes
    chosen = _handler(demo, "on_select")(image_ids, ids, gr.SelectData(None, {"index": 1, "value": None}))
    assert chosen[0] == image_ids[1] and chosen[2] == ids[1]
    rate = _handler(demo, "feedback_persona_image")
    assert rate(chosen[2], 2, "too dark", VISITOR) == "Thanks — rated 2/5."
    assert [(f.generation_id, f.rating) for f in engine.analytics.feedback_for(ids[1], owner=OPERATOR)] == [(ids[1], 2)]

    # a new persona starts with an empty gallery and nothing selected
    cleared = {c: u for c, u in _handler(demo, "on_new")().items()}
    assert [u for c, u in cleared.items() if isinstance(c, gr.Gallery)] == [[]]
