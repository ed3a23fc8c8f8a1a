"""Showing and hiding components that a streamed (generator) handler fills in afterwards.

A component made with `visible=False` is not mounted in the page until it is shown. When the
server is busy, Gradio groups a generator's pending yields into one message, and the page can then
apply the visibility change to the not-yet-mounted component after the value that followed it, so
the component stays hidden (seen in CI: a course step's scene never appeared; reproduced with
Gradio 6.31 and a busy server in 8 of 12 page loads, 0 of 10 with this). Such components stay
mounted and visible to Gradio; a CSS class (`studio-gone`, display: none, in `studio.theme`)
takes them out of sight and out of the layout. (`visible="hidden"` would keep them mounted too,
but an update to "hidden" is not applied to a shown component in 6.31.)"""

from __future__ import annotations

__all__ = ["GONE", "shown_classes"]

GONE = "studio-gone"


def shown_classes(flag: object) -> list[str]:
    """The `elem_classes` of a component shown when `flag` is true and out of sight otherwise."""
    return [] if flag else [GONE]
