"""Persona templates tab: profile editor, base-image approval, persona-voiced text, batch gallery.

Handlers are thin: widget values → one `engine.personas` call → component updates. Every
main action has an `api_name` (persona_save, persona_list, persona_image, persona_transition,
persona_text, persona_batch, persona_export, persona_import), `persona_open` opens one of
the caller's personas by id (empty: start a new one), as picking it in the list does, and
`persona_use_batch_image` proposes a batch image (by the id in the batch table's last column, as
selecting it in the gallery fills in) as the base image, for approval like an upload; the ratings
of a model-written post and of the selected batch image are `feedback_persona_post` and
`feedback_persona_image`.

The persona being edited is per-session state; actions that return the persona's view return,
in this order: the list, the status line, the nine profile fields, the base image, the history,
the batch gallery and its table (the persona's stored batch images; each keeps the id of its
generations record, so a batch image of a reopened persona can still be rated).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.personas import BatchImage, Persona, PersonaProfile, PersonaService
from engine.personas.states import allowed_moves
from studio import actions, feedback
from studio.errors import shows_errors
from studio.identity import Identities
from studio.uploads import ImageFile, read_upload

__all__ = ["build"]

STAND_IN = "Stand-in pictures: no text-to-image model is configured, so the embedded adapter draws labelled storyboard cards."
HISTORY_HEADERS = ["when (UTC)", "from", "to", "reason", "by"]
BATCH_HEADERS = ["#", "status", "device", "provider", "face check", "note", "image id"]
NARROW_PAIR = 180  # two fields side by side in a column, stacked on a phone
PICK_HINT = "Select a batch image to pick it as the base image."
MOVES = [("Approve (locks the appearance)", "approved"), ("Reject (needs a new image)", "rejected"),
         ("Unlock (back to draft)", "draft")]


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _choices(personas: list[Persona]) -> list[tuple[str, str]]:
    return [(f"{p.name} · {p.base_image_status.value}", p.id) for p in personas]


def _status(persona: Persona) -> str:
    lock = "appearance **locked**" if persona.appearance_locked else "appearance not locked"
    moves = ", ".join(allowed_moves(persona.base_image_status)) or "none"
    return (f"**{persona.name}** · style **{persona.style}** · base image **{persona.base_image_status.value}** · "
            f"{lock}  \nNext: {moves}")


def _gallery(images: list[BatchImage]) -> list[tuple[str, str]]:
    out = []
    for image in images:
        if image.status == "completed" and image.path:
            caption = f"#{image.index} · {image.device} · {image.provider}"
            if image.is_placeholder:
                caption += " · stand-in"
            if image.flagged:
                caption += " · far off the base image"
            out.append((image.path, caption))
    return out


def _batch_rows(images: list[BatchImage]) -> list[list[Any]]:
    """One row per image; a stand-in's long note is the STAND_IN line above the gallery, so it says 'stand-in'."""
    return [[i.index, i.status, i.device or "", i.provider or "", i.comparison or "",
             "labelled stand-in" if i.is_placeholder and i.status == "completed" else i.note, i.id] for i in images]


def build(engine: Engine, demo: gr.Blocks, who: Identities) -> None:
    """Render the Persona templates tab inside the current `gr.Tab`."""
    _owner = who.owner
    personas: PersonaService = engine.personas
    persona_id = gr.State("")
    batch_images = gr.State([])  # the image id of each gallery item, in order

    with gr.Row(equal_height=False):
        picker = gr.Dropdown([], label="Persona", scale=4, allow_custom_value=False)
        refresh = gr.Button("Refresh list", scale=1)
        new = gr.Button("New persona", scale=1)
    status = gr.Markdown("Fill in a profile and save it to start a persona.")

    with gr.Row():
        with gr.Column(scale=3, min_width=320):
            gr.Markdown("### Profile")
            name = gr.Textbox(label="Name", max_length=80)
            traits = gr.Textbox(label="Personality traits", placeholder="analytical, kind, bold")
            with gr.Row():
                aesthetic = gr.Textbox(label="Aesthetic", placeholder="sleek, futuristic", min_width=NARROW_PAIR)
                voice = gr.Textbox(label="Voice style", placeholder="precise, playful", min_width=NARROW_PAIR)
            with gr.Row():
                tone = gr.Textbox(label="Tone preference", placeholder="warm and confident", min_width=NARROW_PAIR)
                rating = gr.Radio(["sfw", "moderate", "mature"], value="sfw", label="Content rating",
                                  min_width=NARROW_PAIR)
            themes = gr.Textbox(label="Themes", placeholder="robotics, open source, chess")
            appearance = gr.Textbox(label="Appearance description", lines=2,
                                    placeholder="short dark hair, round glasses, a red jacket")
            tags = gr.Textbox(label="Tags", placeholder="tech, demo")
            save = gr.Button("Save profile", variant="primary")
            save_status = actions.status_line()
            with gr.Accordion("Character Card V2", open=False):
                export = gr.Button("Export card")
                card_file = gr.File(label="Card file", interactive=False)
                import_file = gr.File(label="Import a card (.json)", file_types=[".json"], type="filepath")
                import_button = gr.Button("Import card")
                card_status = actions.status_line()
        with gr.Column(scale=3, min_width=320):
            gr.Markdown("### Base image")
            base_image = gr.Image(label="Base image", type="filepath", interactive=False, height=280)
            seed_mode = gr.Radio([("Upload", "upload"), ("Generate from appearance", "generate")], value="upload",
                                 label="Seed the image by", info="or pick one of the batch images below")
            upload = ImageFile(type="filepath", label="Upload", sources=["upload", "clipboard"], height=160)
            set_image = gr.Button("Set base image", variant="primary")
            image_status = actions.status_line()
            with gr.Row():
                move = gr.Dropdown(MOVES, value="approved", label="Move to", min_width=NARROW_PAIR)
                reason = gr.Textbox(label="Reason", placeholder="why (stored in the history)", min_width=NARROW_PAIR)
            apply_move = gr.Button("Apply")
            move_status = actions.status_line()
            history = gr.Dataframe(headers=HISTORY_HEADERS, label="History", interactive=False, wrap=True,
                                   visible=False, elem_classes=["studio-table", "persona-history"])

    gr.Markdown("### Text in the persona's voice")
    with gr.Row():
        prompt = gr.Textbox(label="Prompt", placeholder="share your thoughts on the future of robotics", scale=4)
        text_seed = gr.Textbox(label="Seed (empty: varied)", placeholder="e.g. 7", scale=1, min_width=120)
        source = gr.Radio([("Auto", "auto"), ("Model", "model"), ("Template", "template")], value="auto",
                          label="Source", scale=2, min_width=200)
    write = gr.Button("Write post", variant="primary")
    write_status = actions.status_line()
    post = gr.Textbox(label="Post", lines=3, interactive=False)
    post_meta = gr.Markdown()
    post_id = gr.State(None)  # a model-written post's generation id; templates are not rated
    feedback.attach(engine, post_id, who, api_name="feedback_persona_post", label="Rate this post",
                    missing="write a post with the model first (template posts are not model outputs)")

    gr.Markdown("### Batch images")
    with gr.Row():
        batch_prompt = gr.Textbox(label="Prompt (empty: one per theme)", scale=4)
        count = gr.Slider(1, 16, value=4, step=1, label="Images", scale=2, min_width=160)
    run_batch = gr.Button("Generate batch", variant="primary")
    batch_status = actions.status_line()
    gr.Markdown(STAND_IN, elem_classes=["stand-in-note"])
    gallery = gr.Gallery(label="Batch", columns=4, height="auto", object_fit="contain", allow_preview=True,
                         elem_classes=["studio-gallery", "persona-gallery"])  # two columns on a phone (studio.theme)
    picked = gr.Markdown(PICK_HINT)
    with gr.Row(equal_height=True):
        picked_image = gr.Textbox(label="Selected image id", show_label=False, scale=3,
                                  placeholder="select an image above", min_width=NARROW_PAIR)
        use_picked = gr.Button("Use as base image", scale=1, min_width=NARROW_PAIR)
    use_status = actions.status_line()
    batch_ids = gr.State([])  # the generation id of each gallery item, in order
    image_id = gr.State(None)  # the selected image's
    feedback.attach(engine, image_id, who, api_name="feedback_persona_image", label="Rate the selected image",
                    missing="select a batch image first, then rate it")
    batch_table = gr.Dataframe(headers=BATCH_HEADERS, label="Where each image ran", interactive=False, wrap=True,
                               visible=False, elem_classes=["studio-table", "persona-batch"])

    profile_fields = [name, traits, aesthetic, voice, tone, rating, themes, appearance, tags]

    def profile_from(values: list[Any]) -> PersonaProfile:
        n, tr, ae, vo, to, ra, th, ap, ta = values
        try:
            return PersonaProfile(name=n or "", personality_traits=_split(tr), aesthetic=ae or "", voice_style=vo or "",
                                  tone_preference=to or "", content_rating=ra or "sfw", themes=_split(th),
                                  appearance_description=ap or "", tags=_split(ta))
        except ValueError as exc:
            first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": ["profile"], "msg": str(exc)}
            raise InvalidRequest(str(first["loc"][0]), str(first["msg"])) from exc

    def view(persona: Persona, owner: Owner) -> dict[Any, Any]:
        rows = [[t.created_at.strftime("%m-%d %H:%M:%S"), t.from_status.value if t.from_status else "",
                 t.to_status.value, t.reason, "you" if t.owner == owner.id else t.owner]
                for t in personas.history(persona.id, owner=owner)]  # fmt: skip
        p = persona.profile
        return {
            persona_id: persona.id,
            picker: gr.update(choices=_choices(personas.personas(owner=owner)), value=persona.id),
            status: _status(persona),
            name: p.name, traits: ", ".join(p.personality_traits), aesthetic: p.aesthetic, voice: p.voice_style,
            tone: p.tone_preference, rating: p.content_rating, themes: ", ".join(p.themes),
            appearance: gr.update(value=p.appearance_description, interactive=not persona.appearance_locked),
            tags: ", ".join(p.tags),
            base_image: persona.base_image_path,
            history: gr.update(value=rows, visible=bool(rows)),
            **batch_view(personas.images(persona.id, owner=owner)),
        }

    def batch_view(images: list[BatchImage]) -> dict[Any, Any]:
        """The gallery, its table and the image id and generation id of each shown image (none selected)."""
        shown = [i for i in images if i.status == "completed" and i.path]
        rows = _batch_rows(images)
        return {gallery: _gallery(images), batch_table: gr.update(value=rows, visible=bool(rows)),
                batch_images: [i.id for i in shown], batch_ids: [i.generation_id for i in shown], image_id: None}

    batch_outputs = [gallery, batch_table, batch_images, batch_ids, image_id]
    view_outputs = [persona_id, picker, status, *profile_fields, base_image, history, *batch_outputs]

    @shows_errors
    def on_list(request: gr.Request) -> Any:
        return gr.update(choices=_choices(personas.personas(owner=_owner(request))))

    @shows_errors
    def on_pick_persona(chosen: str | None, request: gr.Request) -> dict[Any, Any]:
        if not chosen:
            return on_new()
        owner = _owner(request)
        return view(personas.get(chosen, owner=owner), owner)

    @shows_errors
    def on_save(current: str, n: str, tr: str, ae: str, vo: str, to: str, ra: str, th: str, ap: str, ta: str,
                request: gr.Request) -> dict[Any, Any]:
        owner = _owner(request)
        profile = profile_from([n, tr, ae, vo, to, ra, th, ap, ta])
        persona = personas.save(current, profile, owner=owner) if current else personas.create(profile, owner=owner)
        return view(persona, owner)

    def on_new() -> dict[Any, Any]:
        return {persona_id: "", picker: gr.update(value=None), status: "New persona: fill in the profile and save.",
                **{field: "" for field in profile_fields if field is not rating}, rating: "sfw",
                appearance: gr.update(value="", interactive=True), base_image: None,
                history: gr.update(value=[], visible=False), **batch_view([])}

    @shows_errors
    def on_image(current: str, mode: str, path: str | None, request: gr.Request,
                 progress: gr.Progress = gr.Progress()) -> dict[Any, Any]:
        owner = _owner(request)
        if not current:
            raise InvalidRequest("persona", "save the profile first")
        if mode == "upload":
            data, filename = read_upload(path, "image")
            who.received(owner, [path])
            persona = personas.upload_base_image(current, data, owner=owner, reason=f"uploaded {filename}")
        elif mode == "generate":
            progress(0.1, desc="Drawing the base image from the appearance…")
            persona = personas.generate_base_image(current, owner=owner)
        else:
            raise InvalidRequest("mode", "use upload or generate (or pick a batch image below the gallery)")
        return view(persona, owner)

    @shows_errors
    def on_use_batch_image(current: str, chosen: str | None, request: gr.Request) -> dict[Any, Any]:
        if not current:
            raise InvalidRequest("persona", "save the profile first")
        if not (chosen or "").strip():
            raise InvalidRequest("image", "select an image in the batch gallery first (or give its image id)")
        owner = _owner(request)
        return view(personas.use_batch_image(current, chosen.strip(), owner=owner), owner)  # type: ignore[union-attr]

    @shows_errors
    def on_move(current: str, state: str, why: str, request: gr.Request) -> dict[Any, Any]:
        if not current:
            raise InvalidRequest("persona", "save the profile first")
        owner = _owner(request)
        return view(personas.transition(current, state, owner=owner, reason=why or ""), owner)

    @shows_errors
    def on_write(current: str, ask: str, seed: str | None, src: str, request: gr.Request,
                 progress: gr.Progress = gr.Progress()) -> tuple[str, str, str | None]:
        if not current:
            raise InvalidRequest("persona", "save the profile first")
        seed_text = (seed or "").strip()
        if seed_text and not seed_text.lstrip("-").isdigit():
            raise InvalidRequest("seed", f"{seed_text!r} is not a whole number; leave it empty for varied posts")
        progress(0.1, desc="Writing in the persona's voice…")
        result = personas.write(current, ask or "", owner=_owner(request),
                                seed=int(seed_text) if seed_text else None, source=src)  # type: ignore[arg-type]
        meta = (f"source: **{result.source}** · style: **{result.style}** · voice: "
                f"{', '.join(result.voice_modifiers) or 'neutral'}")
        if result.routed_to:
            meta += f" · routed to **{result.routed_to}**: {'; '.join(result.route_reasons)}"
        if result.note:
            meta += f"  \n_{result.note}_"
        return result.text, meta, result.generation_id

    @shows_errors
    def on_batch(current: str, ask: str, n: float, request: gr.Request,
                 progress: gr.Progress = gr.Progress()) -> dict[Any, Any]:
        if not current:
            raise InvalidRequest("persona", "save the profile first")
        owner = _owner(request)
        total = int(n)
        prompts = [ask] * total if ask and ask.strip() else personas.default_prompts(current, total, owner=owner)
        progress(0.05, desc=f"Generating {total} image(s) across the devices…")
        return batch_view(personas.batch(current, prompts, owner=owner))

    def on_select(shown: list[str], ids: list[str | None], event: gr.SelectData) -> tuple[str, str, str | None]:
        index = event.index if isinstance(event.index, int) else 0
        chosen = shown[index] if 0 <= index < len(shown) else ""
        if not chosen:
            return "", PICK_HINT, None
        rated = ids[index] if index < len(ids) else None
        return (chosen, f"Selected image {index + 1}; press **Use as base image** to propose it as the base image "
                "(it then waits for approval), or rate it below.", rated)

    @shows_errors
    def on_export(current: str, request: gr.Request) -> str:
        if not current:
            raise InvalidRequest("persona", "save the profile first")
        owner = _owner(request)
        card = personas.export_card(current, owner=owner)
        # written where Gradio serves from (no second copy), and removed with the owner's data
        folder = Path(tempfile.mkdtemp(prefix="persona-card-", dir=who.served_dir))
        path = folder / f"{card['data']['name'].replace('/', '_')[:60] or 'persona'}.json"
        path.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        who.received(owner, [path])
        return str(path)

    @shows_errors
    def on_import(path: str | None, request: gr.Request) -> dict[Any, Any]:
        if not path:
            raise InvalidRequest("card", "choose a Character Card V2 .json file first")
        owner = _owner(request)
        who.received(owner, [path])
        return view(personas.import_card(Path(path).read_bytes(), owner=owner), owner)

    def unpicked() -> tuple[str, str]:
        """No batch image selected: after a new batch or another persona, the old pick is gone."""
        return "", PICK_HINT

    quiet = {"show_progress": "hidden"}
    unpick = {"fn": unpicked, "inputs": None, "outputs": [picked_image, picked], "api_visibility": "private",
              "queue": False, **quiet}
    refresh.click(on_list, None, picker, api_name="persona_list", **quiet)
    picker.input(on_pick_persona, picker, view_outputs, api_name="persona_open", **quiet).success(**unpick)
    actions.wire(save.click, on_save, [persona_id, *profile_fields], view_outputs, status=save_status,
                 api_name="persona_save")
    new.click(on_new, None, view_outputs, api_name=False, **quiet).success(**unpick)
    actions.wire(set_image.click, on_image, [persona_id, seed_mode, upload], view_outputs,
                 status=image_status, api_name="persona_image")
    actions.wire(use_picked.click, on_use_batch_image, [persona_id, picked_image], view_outputs, status=use_status,
                 api_name="persona_use_batch_image")
    actions.wire(apply_move.click, on_move, [persona_id, move, reason], view_outputs, status=move_status,
                 api_name="persona_transition")
    actions.wire(write.click, on_write, [persona_id, prompt, text_seed, source], [post, post_meta, post_id],
                 status=write_status, api_name="persona_text")
    actions.wire(run_batch.click, on_batch, [persona_id, batch_prompt, count], batch_outputs, status=batch_status,
                 api_name="persona_batch").success(**unpick)
    gallery.select(on_select, [batch_images, batch_ids], [picked_image, picked, image_id], api_name=False, **quiet)
    actions.wire(export.click, on_export, persona_id, card_file, status=card_status, api_name="persona_export")
    actions.wire(import_button.click, on_import, import_file, view_outputs, status=card_status,
                 api_name="persona_import").success(**unpick)
    demo.load(on_list, None, picker, api_name=False, **quiet)
