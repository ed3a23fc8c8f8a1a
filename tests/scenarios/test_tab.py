"""The onboarding tab builds on a real engine and exposes its API names; operator controls live on the System tab."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_tab_builds_with_its_api_names(scenario_engine) -> None:
    import gradio as gr

    from studio import onboarding_tab
    from studio.identity import Identities

    engine, _ = scenario_engine
    with gr.Blocks() as demo:
        onboarding_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    names = {dep.get("api_name") for dep in demo.config["dependencies"]}
    assert {"onboard", "scenario_status", "course_step", "answer_quiz", "delete_user", "my_key", "come_back"} <= names
    ratings = {"feedback_caricature", "feedback_scenario", "feedback_talking_photo", "feedback_call", "feedback_narration"}
    assert ratings <= names  # a rating row under each output of the course
    assert not {"cache_stats", "cleanup_cache"} & names  # not on the person's page
    labels = {c.get("props", {}).get("label") for c in demo.config["components"]}
    assert not {"Narration cache", "Deletion", "Scenario", "Course step"} & labels  # no raw JSON, no step dropdown
    assert not [c for c in demo.config["components"] if c.get("type") in ("json", "dropdown")]

    from studio import system_tab

    with gr.Blocks() as system:
        system_tab.build(engine, system, Identities(engine, engine.settings.data_dir / "served"))
    assert {"cache_stats", "cleanup_cache"} <= {dep.get("api_name") for dep in system.config["dependencies"]}


@pytest.mark.slow
def test_course_media_and_rating_rows_sit_mounted_in_boxes_that_show_themselves(scenario_engine) -> None:
    """A step streams its updates; a busy server sends them together, and the page can then apply a
    stale "hide" after a newer "show" (studio.visibility). So a step sends no visibility or class
    change for its media or their rating rows: each sits, mounted, in a box that CSS hides while it
    holds no media element."""
    import gradio as gr

    from studio import onboarding_tab
    from studio.identity import Identities
    from studio.theme import STUDIO_CSS
    from studio.visibility import MEDIA_BOX_CSS, WITH_AUDIO, WITH_IMAGE, WITH_VIDEO

    engine, _ = scenario_engine
    with gr.Blocks() as demo:
        onboarding_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    by_id = {block._id: block for block in demo.blocks.values()}
    config = {c["id"]: c for c in demo.config["components"]}
    boxes = {"course-image": WITH_IMAGE, "course-video": WITH_VIDEO, "course-call": WITH_AUDIO,
             "course-narration": WITH_AUDIO, "rate-scene": WITH_IMAGE, "rate-talking-photo": WITH_VIDEO,
             "rate-call": WITH_AUDIO, "rate-narration": WITH_AUDIO}  # fmt: skip
    for elem_id, box_class in boxes.items():
        block = next(b for b in by_id.values() if getattr(b, "elem_id", None) == elem_id)
        assert config[block._id]["props"].get("visible", True) is True, elem_id  # mounted with the course
        assert box_class in (block.parent.elem_classes or []), (elem_id, block.parent)
    assert MEDIA_BOX_CSS in STUDIO_CSS and ":not(:has(img))" in MEDIA_BOX_CSS

    rows = {block._id for block in by_id.values() if getattr(block, "elem_id", None) in boxes and isinstance(block, gr.Group)}
    for dep in demo.config["dependencies"]:  # no event shows or hides a rating row (only their boxes do)
        assert not rows & set(dep["outputs"]), dep.get("api_name")
