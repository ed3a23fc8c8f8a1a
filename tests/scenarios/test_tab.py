"""The onboarding tab builds on a real engine and exposes its API names; operator controls live on the System tab."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_tab_builds_with_its_api_names(scenario_engine) -> None:  # noqa: ANN001
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
def test_the_course_media_stay_mounted_and_are_hidden_by_a_class(scenario_engine) -> None:  # noqa: ANN001
    """A step streams its updates; a component that is not mounted can miss its "show" when a busy
    server sends the yields together (studio.visibility), so the scene, talking photo and call are
    mounted from the start and hidden by a CSS class instead of `visible=False`."""
    import gradio as gr

    from studio import onboarding_tab
    from studio.identity import Identities
    from studio.theme import STUDIO_CSS
    from studio.visibility import GONE

    engine, _ = scenario_engine
    with gr.Blocks() as demo:
        onboarding_tab.build(engine, demo, Identities(engine, engine.settings.data_dir / "served"))
    media = {c["props"].get("elem_id"): c["props"] for c in demo.config["components"]
             if c["props"].get("elem_id") in ("course-image", "course-video", "course-call")}  # fmt: skip
    assert set(media) == {"course-image", "course-video", "course-call"}
    for props in media.values():
        assert props.get("visible", True) is True and GONE in props["elem_classes"]
    assert f".{GONE} {{ display: none !important; }}" in STUDIO_CSS
