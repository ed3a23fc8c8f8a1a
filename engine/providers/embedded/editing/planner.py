"""Prompt → EditPlan: which offline operations a request needs, or why it cannot be done offline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from engine.providers.embedded.editing.models import EditPlan, Operation
from engine.providers.embedded.editing.parse.camera import parse_camera
from engine.providers.embedded.editing.parse.edits import EDIT_CAPABILITIES, parse_edits
from engine.providers.embedded.editing.parse.enhance import (
    ENHANCE_CAPABILITIES,
    ENHANCE_ORDER,
    default_enhancement,
    parse_enhancement,
)
from engine.providers.embedded.editing.parse.hair import HAIR_CAPABILITIES, parse_hair
from engine.providers.embedded.editing.parse.style import STYLE_CAPABILITIES, parse_style
from engine.providers.embedded.editing.parse.text import GENERATIVE, Clause, Findings, clauses_of, has_content

__all__ = ["EDITABLE_WORKFLOWS", "plan_edit"]

EDITABLE_WORKFLOWS: frozenset[str] = frozenset(
    {"image_editing", "image_enhancement", "style_transfer", "hair_styling", "image_to_video"}
)
_MAX_PROMPT = 2000  # characters read; a prompt is a request, not a document


class _Workflow(NamedTuple):
    label: str
    capabilities: str
    plan: Callable[[list[Clause], Findings], tuple[Operation, ...]]


def plan_edit(workflow: str, prompt: str) -> EditPlan:
    """What `run_edit` will do for `prompt` in `workflow`. Never raises: unsupported asks say why."""
    name = str(getattr(workflow, "value", workflow))  # a Workflow enum member works too
    spec = _WORKFLOWS.get(name)
    if spec is None:
        offline = ", ".join(sorted(w.replace("_", " ") for w in EDITABLE_WORKFLOWS))
        label = name.replace("_", " ")
        reason = f"'{label}' has no offline version; offline the studio can do: {offline}."
        return EditPlan(workflow=name, supported=False, reason=reason)
    text = prompt[:_MAX_PROMPT] if isinstance(prompt, str) else ""
    found = Findings()
    operations = spec.plan(clauses_of(text), found)
    output: Literal["image", "video"] = "video" if name == "image_to_video" else "image"
    if not operations:
        if found.refusals:
            asked = "; ".join(found.refusals) + "."
        elif text.strip():
            asked = f"Nothing in this request can be done offline; it needs {GENERATIVE}."
        else:
            asked = "The request is empty: say what to change."
        reason = f"{_capital(asked)} Offline {spec.label} can do: {spec.capabilities}."
        return EditPlan(workflow=name, supported=False, reason=reason, output=output)
    return EditPlan(
        workflow=name,
        operations=operations,
        supported=True,
        reason=_summary(operations, found.refusals),
        needs_faces=any(_needs_face(operation) for operation in operations),
        output=output,
    )


def _editing(clauses: list[Clause], found: Findings) -> tuple[Operation, ...]:
    parse_hair(clauses, found, only_with_hair_word=True)
    parse_edits(clauses, found)
    parse_enhancement(clauses, found)
    parse_style(clauses, found)
    _refuse_leftovers(clauses, found)
    return found.ordered()


def _enhancement(clauses: list[Clause], found: Findings) -> tuple[Operation, ...]:
    parse_enhancement(clauses, found)
    if not found.ops:
        parse_edits(clauses, found)
        parse_style(clauses, found)
    if not found.ops and not found.refusals:
        return default_enhancement()
    rank = {name: i for i, name in enumerate(ENHANCE_ORDER)}
    ordered = sorted(found.ops, key=lambda item: (rank.get(item[1].name, len(rank)), item[0]))
    return tuple(operation for _, operation in ordered)


def _style(clauses: list[Clause], found: Findings) -> tuple[Operation, ...]:
    parse_style(clauses, found)
    if not found.ops:
        parse_edits(clauses, found)
    _refuse_leftovers(clauses, found, "is not a style the offline filters know; it needs " + GENERATIVE)
    return found.ordered()


def _hair(clauses: list[Clause], found: Findings) -> tuple[Operation, ...]:
    parse_hair(clauses, found)
    return found.ordered()


def _video(clauses: list[Clause], found: Findings) -> tuple[Operation, ...]:
    parse_camera(clauses, found)
    return found.ordered()


_WORKFLOWS: dict[str, _Workflow] = {
    "image_editing": _Workflow("editing", EDIT_CAPABILITIES, _editing),
    "image_enhancement": _Workflow("enhancement", ENHANCE_CAPABILITIES, _enhancement),
    "style_transfer": _Workflow("style transfer", STYLE_CAPABILITIES, _style),
    "hair_styling": _Workflow("hair styling", HAIR_CAPABILITIES, _hair),
    "image_to_video": _Workflow("image to video", "camera moves over the still", _video),
}


def _refuse_leftovers(clauses: list[Clause], found: Findings, why: str = "needs " + GENERATIVE) -> None:
    """Clauses that nothing understood, and that say more than 'please', are asks offline cannot do."""
    for clause in clauses:
        if not clause.handled and has_content(clause):
            found.refuse(clause, f"'{clause.quote}' {why}")


def _needs_face(operation: Operation) -> bool:
    return operation.name == "hair_colour" or operation.params.get("target") == "face"


def _summary(operations: tuple[Operation, ...], refusals: list[str]) -> str:
    done = "Will do: " + "; ".join(operation.description for operation in operations) + "."
    return done + (" Skipped: " + "; ".join(refusals) + "." if refusals else "")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
