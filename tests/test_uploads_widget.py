"""`ImageFile` must reach the browser as a complete Image component: Gradio sends the values of the
constructor's named parameters, and a component without them fails to render (no upload field)."""

from __future__ import annotations

import gradio as gr

from studio.uploads import ImageFile


def _props(component_index: int, blocks: gr.Blocks) -> dict[str, object]:
    return blocks.get_config_file()["components"][component_index]["props"]


def test_image_file_sends_the_same_props_as_an_image() -> None:
    with gr.Blocks() as blocks:
        gr.Image(type="filepath", sources=["upload", "webcam"], label="photo")
        ImageFile(type="filepath", sources=["upload", "webcam"], label="photo")
    plain, ours = _props(0, blocks), _props(1, blocks)
    assert ours["sources"] == ["upload", "webcam"] and ours["label"] == "photo"
    assert set(plain) <= set(ours)


def test_image_file_hands_over_the_path_without_opening_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    not_an_image = tmp_path / "photo.png"
    not_an_image.write_bytes(b"this is not a picture")
    payload = gr.data_classes.ImageData(path=str(not_an_image))
    assert ImageFile(type="filepath").preprocess(payload) == str(not_an_image)
