"""Offline ("embedded") image operations for the intent lab, driven by the user's prompt.

`plan_edit(workflow, prompt)` reads the prompt into an `EditPlan` (or says why it cannot be
done offline); `run_edit(plan, image, faces)` applies it to a still and returns an `EditOutput`:
an image, or for image_to_video the frames of a camera move (to be encoded by the video adapter).
"""

from engine.providers.embedded.editing.models import EditOutput, EditPlan, Operation
from engine.providers.embedded.editing.planner import EDITABLE_WORKFLOWS, plan_edit
from engine.providers.embedded.editing.runner import run_edit

__all__ = ["EDITABLE_WORKFLOWS", "EditOutput", "EditPlan", "Operation", "plan_edit", "run_edit"]
