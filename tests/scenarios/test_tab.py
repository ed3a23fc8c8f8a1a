"""The onboarding tab builds on a real engine and exposes its API names."""

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
    assert {"onboard", "scenario_status", "narration", "cache_stats", "cleanup_cache", "delete_user"} <= names
