"""Stand-in labels never cover the picture: the simulation label is a strip below it."""

from __future__ import annotations

import numpy as np

from engine.scenarios.provenance import label_strip
from engine.scenarios.scenes import HEIGHT, WIDTH, compose_scene
from tests.provenance.conftest import has_simulation_band


def test_the_label_strip_keeps_every_pixel_of_the_picture() -> None:
    picture = np.random.default_rng(1).integers(0, 255, (384, 512, 3), dtype=np.uint8)
    labelled = label_strip(picture)
    assert labelled.shape[1] == 512 and labelled.shape[0] > 384 and labelled.shape[0] % 2 == 0
    assert np.array_equal(labelled[:384], picture)  # nothing drawn over the content
    assert has_simulation_band(labelled)
    strip = labelled[384:]
    assert (strip.reshape(-1, 3) == (255, 255, 255)).all(axis=1).any()  # the label's text is in the strip


def test_a_scene_keeps_its_headline_clear_of_the_label(face_jpeg: bytes) -> None:
    from engine.imaging import decode_image
    from engine.providers.embedded.vision import EmbeddedVisionModel
    from engine.settings import load_settings

    photo = decode_image(face_jpeg)
    landmarks = np.asarray(EmbeddedVisionModel(load_settings(_env_file=None)).detect_faces([photo])[0][0].landmarks)
    text = {"headline": "EMERGENCY VIDEO CALL", "ticker": "Incoming call from Alex"}
    image = compose_scene("emergency", photo, landmarks, text).image
    assert image.shape[1] == WIDTH and image.shape[0] > HEIGHT and has_simulation_band(image)
    headline_bar = image[:44, :340]  # the emergency call's dark top bar with the red headline
    reds = (headline_bar[..., 0] > 200) & (headline_bar[..., 1] < 120)
    dark = (headline_bar.max(axis=2) < 60)
    assert reds.sum() > 300 and dark.mean() > 0.6  # headline drawn, bar otherwise untouched by any tag
    white = (headline_bar.min(axis=2) > 230).sum()
    assert white < 20  # no white label text over the headline (the old corner tag was white and red)
