"""The System tab's operator controls: the narration cache's stats for a course, and its cleanup.

For admins (an account in `STUDIO_ADMIN_USERS`; the local CLI is the operator too); anyone
else is told so, and nothing is read.
"""

from __future__ import annotations

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from studio.identity import Identities
from studio.inline_notice import notice_html, refuses_inline

__all__ = ["operator_section"]

ADMINS_ONLY = "Operator controls are for admins (an account listed in STUDIO_ADMIN_USERS)."


def operator_section(engine: Engine, who: Identities) -> None:
    """Render the section inside the current tab."""
    scenarios = engine.scenarios
    with gr.Accordion("Operator: narration cache", open=False, elem_id="system-operator"):
        course_id = gr.Textbox(label="Course id", placeholder="the id of an onboarded person's course")
        with gr.Row():
            stats = gr.Button("Cache stats", size="sm")
            cleanup = gr.Button("Clean up expired", size="sm")
        answer = gr.HTML(elem_id="system-operator-answer")

    def admin(request: gr.Request) -> bool:
        return who.owner(request).admin

    @refuses_inline(answer)
    def on_stats(user_id: str, request: gr.Request) -> dict:
        if not admin(request):
            return {answer: notice_html(ADMINS_ONLY, "refused")}
        if not user_id.strip():
            raise InvalidRequest("course id", "paste the id of a course first")
        found = scenarios.cache_stats(user_id.strip(), owner=who.owner(request))
        return {answer: notice_html(
            f"{found.entries} narrations cached ({found.live_entries} live, {found.expired_entries} expired), "
            f"{found.bytes / 1e6:.1f} MB; hit rate {found.hit_rate:.0%} ({found.hits} hits, {found.misses} misses, "
            f"{found.preloads} preloads).")}  # fmt: skip

    @refuses_inline(answer)
    def on_cleanup(request: gr.Request) -> dict:
        if not admin(request):
            return {answer: notice_html(ADMINS_ONLY, "refused")}
        removed = scenarios.cleanup_cache()
        return {answer: notice_html(f"Removed {removed} expired narration{'s' if removed != 1 else ''}.")}

    stats.click(on_stats, course_id, answer, api_name="cache_stats")
    cleanup.click(on_cleanup, None, answer, api_name="cleanup_cache")
