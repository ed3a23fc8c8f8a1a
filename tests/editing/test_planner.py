"""plan_edit: prompt text → operations, for every workflow, and honest refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.providers.embedded.editing import EDITABLE_WORKFLOWS, EditPlan, plan_edit


def names(plan: EditPlan) -> list[str]:
    return [operation.name for operation in plan.operations]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("make it brighter", ["brightness"]),
        ("Lighten it up a bit", ["brightness"]),
        ("it's too dark", ["brightness"]),
        ("increase the exposure", ["brightness"]),
        ("darker please", ["brightness"]),
        ("more contrast", ["contrast"]),
        ("make it punchier", ["contrast"]),
        ("warmer", ["temperature"]),
        ("give it warm tones", ["temperature"]),
        ("cooler", ["temperature"]),
        ("more vivid colours", ["saturation"]),
        ("desaturate it a little", ["saturation"]),
        ("black and white", ["grayscale"]),
        ("black-and-white", ["grayscale"]),
        ("B&W", ["grayscale"]),
        ("make it greyscale", ["grayscale"]),
        ("grayscale", ["grayscale"]),
        ("monochrome", ["grayscale"]),
        ("sepia", ["sepia"]),
        ("rotate left", ["rotate"]),
        ("rotate 180 degrees", ["rotate"]),
        ("turn it upside down", ["rotate"]),
        ("flip it", ["flip"]),
        ("mirror the image", ["flip"]),
        ("crop to square", ["crop_square"]),
        ("make it 1:1 for instagram", ["crop_square"]),
        ("zoom in", ["zoom"]),
        ("blur the background", ["background_blur"]),
        ("portrait mode bokeh", ["background_blur"]),
        ("remove the background", ["background_colour"]),
        ("put me on a plain white background", ["background_colour"]),
        ("change the backdrop to navy blue", ["background_colour"]),
        ("add a vignette", ["vignette"]),
        ("darken the corners", ["vignette"]),
        ("make it brighter and black and white", ["brightness", "grayscale"]),
        ("black and white, then brighter", ["grayscale", "brightness"]),
        ("a bit darker, more contrast and rotate right", ["brightness", "contrast", "rotate"]),
        ("brighter with less contrast", ["brightness", "contrast"]),
        ("make my hair blue", ["hair_colour"]),
        ("make it less blurry", ["sharpen"]),
    ],
)
def test_editing_phrasings(prompt: str, expected: list[str]) -> None:
    plan = plan_edit("image_editing", prompt)
    assert plan.supported, plan.reason
    assert names(plan) == expected
    assert plan.output == "image"


@pytest.mark.parametrize(
    ("prompt", "name", "key", "value"),
    [
        ("brighter", "brightness", "amount", 0.25),
        ("darker", "brightness", "amount", -0.25),
        ("reduce the brightness", "brightness", "amount", -0.25),
        ("increase brightness by 40%", "brightness", "amount", 0.4),
        ("much brighter", "brightness", "amount", 0.45),
        ("slightly brighter", "brightness", "amount", 0.125),
        ("lower the contrast", "contrast", "amount", -0.3),
        ("cooler", "temperature", "amount", -0.3),
        ("rotate left", "rotate", "degrees", -90.0),
        ("rotate counterclockwise", "rotate", "degrees", -90.0),
        ("rotate right", "rotate", "degrees", 90.0),
        ("rotate 90", "rotate", "degrees", 90.0),
        ("rotate 270 degrees", "rotate", "degrees", -90.0),
        ("rotate 180", "rotate", "degrees", 180.0),
        ("flip vertically", "flip", "axis", "vertical"),
        ("mirror it", "flip", "axis", "horizontal"),
        ("zoom in 2x", "zoom", "factor", 2.0),
        ("remove the background", "background_colour", "colour", "#ffffff"),
        ("make the background black", "background_colour", "colour", "#000000"),
        ("background #00ff00", "background_colour", "colour", "#00ff00"),
    ],
)
def test_editing_parameters(prompt: str, name: str, key: str, value: object) -> None:
    plan = plan_edit("image_editing", prompt)
    operation = next(op for op in plan.operations if op.name == name)
    assert (
        operation.params[key] == pytest.approx(value)
        if isinstance(value, float)
        else operation.params[key] == value
    )


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("upscale", ["upscale", "sharpen"]),
        ("upscale it 4x", ["upscale", "sharpen"]),
        ("make it higher resolution", ["upscale", "sharpen"]),
        ("restore this old photo", ["denoise", "local_contrast", "sharpen"]),
        ("fix it", ["denoise", "local_contrast", "sharpen"]),
        ("remove the noise", ["denoise"]),
        ("reduce the grain and sharpen", ["denoise", "sharpen"]),
        (
            "sharpen it, then upscale",
            ["upscale", "sharpen"],
        ),  # sharpening after upscaling, whatever the order
        ("bring out the shadows", ["local_contrast"]),
        ("enhance", ["denoise", "local_contrast", "sharpen"]),
        ("", ["denoise", "local_contrast", "sharpen"]),
        ("make it look amazing", ["denoise", "local_contrast", "sharpen"]),
    ],
)
def test_enhancement_phrasings(prompt: str, expected: list[str]) -> None:
    plan = plan_edit("image_enhancement", prompt)
    assert plan.supported, plan.reason
    assert names(plan) == expected


@pytest.mark.parametrize(
    ("prompt", "factor"),
    [("upscale", 2.0), ("upscale x4", 4.0), ("4x upscale", 4.0), ("quadruple the size", 4.0)],
)
def test_upscale_factor(prompt: str, factor: float) -> None:
    plan = plan_edit("image_enhancement", prompt)
    assert plan.operations[0].params["factor"] == factor


@pytest.mark.parametrize(
    ("prompt", "name", "params"),
    [
        ("turn it into a pencil sketch", "pencil_sketch", {"colour": False}),
        ("coloured pencil drawing", "pencil_sketch", {"colour": True}),
        ("colored pencil drawing", "pencil_sketch", {"colour": True}),
        ("make it a cartoon", "cartoon", {"look": "cartoon"}),
        ("comic book style", "cartoon", {"look": "comic"}),
        ("make me an anime character", "cartoon", {"look": "anime"}),
        ("watercolour painting", "watercolour", {}),
        ("watercolor", "watercolour", {}),
        ("oil painting like van gogh", "oil_painting", {}),
        ("pop art, Warhol style", "pop_art", {}),
        ("posterise it with 6 levels", "posterize", {"levels": 6.0}),
        ("posterize", "posterize", {"levels": 4.0}),
        ("vintage 70s look", "vintage", {}),
        ("make it look retro", "vintage", {}),
    ],
)
def test_style_phrasings(prompt: str, name: str, params: dict[str, object]) -> None:
    plan = plan_edit("style_transfer", prompt)
    assert plan.supported, plan.reason
    assert names(plan) == [name]
    assert plan.operations[0].params == params


def test_unknown_style_names_the_styles_it_can_do() -> None:
    plan = plan_edit("style_transfer", "in the style of cyberpunk neon")
    assert not plan.supported
    for style in ("pencil sketch", "cartoon", "watercolour", "oil painting", "pop art", "vintage"):
        assert style in plan.reason
    assert "generative" in plan.reason


@pytest.mark.parametrize(
    ("prompt", "colour"),
    [
        ("make my hair red", "#aa231e"),
        ("dye it blonde", "#dcbe82"),
        ("platinum blonde hair please", "#ebe6d7"),
        ("go grey", "#a0a0a0"),
        ("gray hair", "#a0a0a0"),
        ("I want #ff00aa hair", "#ff00aa"),
        ("jet black", "#0e0c0e"),
        ("ginger", "#be5a28"),
        ("auburn", "#913723"),
        ("pastel pink hair", "#f5afc8"),
        ("bleach my hair", "#ebe6d7"),
    ],
)
def test_hair_colours(prompt: str, colour: str) -> None:
    plan = plan_edit("hair_styling", prompt)
    assert plan.supported, plan.reason
    assert names(plan) == ["hair_colour"]
    assert plan.operations[0].params["colour"] == colour
    assert plan.needs_faces


@pytest.mark.parametrize(
    "prompt",
    ["give me curtain bangs", "a bob cut", "braids", "make it curly", "shave my head", "make my hair longer"],
)
def test_hair_cuts_and_styles_are_refused(prompt: str) -> None:
    plan = plan_edit("hair_styling", prompt)
    assert not plan.supported
    assert plan.operations == ()
    assert "generative image model" in plan.reason and "flux-kontext" in plan.reason


def test_hair_colour_with_a_cut_does_the_colour_and_says_what_it_skipped() -> None:
    plan = plan_edit("hair_styling", "dye my hair red and give me curtain bangs")
    assert plan.supported and names(plan) == ["hair_colour"]
    assert "bangs" in plan.reason and "generative" in plan.reason


def test_highlights_are_not_a_full_dye() -> None:
    plan = plan_edit("hair_styling", "blonde highlights")
    assert not plan.supported and "highlights" in plan.reason


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("", {"zoom": "in", "pan": "none", "target": "center", "seconds": 3.0, "fps": 24.0}),
        ("zoom in on her face", {"zoom": "in", "target": "face"}),
        ("slow pan to the right", {"zoom": "none", "pan": "right", "strength": 0.6}),
        ("pan left", {"pan": "left"}),
        ("tilt up", {"pan": "up"}),
        ("pull back to reveal the scene", {"zoom": "out"}),
        ("orbit around", {"orbit": True}),
        ("zoom in for 5 seconds", {"seconds": 5.0}),
        ("a five second push in", {"seconds": 5.0}),
        ("zoom out over 2 minutes", {"seconds": 10.0}),
        ("pan right at 30 fps", {"fps": 30.0}),
    ],
)
def test_camera_moves(prompt: str, expected: dict[str, object]) -> None:
    plan = plan_edit("image_to_video", prompt)
    assert plan.supported and plan.output == "video" and names(plan) == ["camera_move"]
    params = plan.operations[0].params
    assert {key: params[key] for key in expected} == expected
    assert plan.needs_faces == (params["target"] == "face")


def test_subject_motion_is_a_camera_move_with_a_note() -> None:
    plan = plan_edit("image_to_video", "make her wave")
    assert plan.supported
    assert "generative video model" in plan.reason


@pytest.mark.parametrize(
    ("workflow", "prompt", "says"),
    [
        ("image_editing", "add a hat", "add a hat"),
        ("image_editing", "replace the background with a beach", "background"),
        ("image_editing", "rotate 45 degrees", "quarter turns"),
        ("image_editing", "zoom out", "outpainting"),
        ("image_editing", "", "empty"),
        ("image_enhancement", "colourise it", "colourising"),
        ("text_to_video", "a cat surfing", "no offline version"),
        ("image_generation", "a cat", "no offline version"),
    ],
)
def test_unsupported_asks_say_why(workflow: str, prompt: str, says: str) -> None:
    plan = plan_edit(workflow, prompt)
    assert not plan.supported
    assert plan.operations == ()
    assert says.lower() in plan.reason.lower()


def test_colourise_with_a_restore_restores_and_notes_the_rest() -> None:
    plan = plan_edit("image_enhancement", "restore and colorize this photo")
    assert plan.supported and "sharpen" in names(plan)
    assert "Skipped" in plan.reason and "colourising" in plan.reason


def test_supported_plans_summarise_what_they_will_do() -> None:
    plan = plan_edit("image_editing", "brighter and mirror it, then add a unicorn")
    assert plan.reason.startswith("Will do: brightness +25 %; mirror left to right.")
    assert "add a unicorn" in plan.reason


def test_editable_workflows() -> None:
    expected = {"image_editing", "image_enhancement", "style_transfer", "hair_styling", "image_to_video"}
    assert expected == EDITABLE_WORKFLOWS
    assert isinstance(EDITABLE_WORKFLOWS, frozenset)


def test_a_workflow_enum_member_works_like_its_value() -> None:
    from engine.intent.models import Workflow

    assert plan_edit(Workflow.STYLE_TRANSFER, "sketch").workflow == "style_transfer"


@settings(max_examples=150, deadline=None)
@given(
    workflow=st.sampled_from([*sorted(EDITABLE_WORKFLOWS), "video_generation", ""]),
    prompt=st.text(max_size=300),
)
def test_plan_edit_never_raises(workflow: str, prompt: str) -> None:
    plan = plan_edit(workflow, prompt)
    assert isinstance(plan, EditPlan)
    assert plan.reason
    assert plan.supported == bool(plan.operations)


_SOUP = ["make", "it", "brighter", "darker", "black", "and", "white", "sepia", "rotate", "left", "flip", "zoom", "hair", "red", "blonde", "bangs", "the", "background", "blur", "remove", "upscale", "4x", "sketch", "oil", "cartoon", "pan", "right", "5", "seconds", ",", "then", "%", "40", "#ff00aa"]


@settings(max_examples=100, deadline=None)
@given(prompt=st.lists(st.sampled_from(_SOUP), max_size=20).map(" ".join))
def test_plan_edit_never_raises_on_vocabulary_soup(prompt: str) -> None:
    for workflow in EDITABLE_WORKFLOWS:
        plan = plan_edit(workflow, prompt)
        assert plan.supported == bool(plan.operations)
