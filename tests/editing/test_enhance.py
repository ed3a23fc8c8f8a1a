"""Enhancement: each operation measurably does its one job."""

from __future__ import annotations

import cv2
import numpy as np

from engine.providers.embedded.editing import ops_enhance


def detail(image: np.ndarray) -> float:
    """Variance of the Laplacian: higher is sharper."""
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def test_upscale_doubles_and_keeps_the_content(face_image: np.ndarray) -> None:
    big = ops_enhance.upscale(face_image, 2.0)
    assert big.shape == (1024, 1024, 3)
    back = cv2.resize(big, (512, 512), interpolation=cv2.INTER_AREA)
    assert np.abs(back.astype(int) - face_image).mean() < 3.0


def test_upscale_is_capped_at_2048(big_image: np.ndarray) -> None:
    assert ops_enhance.upscale(big_image, 4.0).shape == (2048, 2048, 3)
    wide = np.zeros((300, 1500, 3), dtype=np.uint8)
    assert ops_enhance.upscale(wide, 4.0).shape[1] == 2048


def test_upscale_of_a_large_picture_returns_a_copy() -> None:
    large = np.zeros((2048, 1000, 3), dtype=np.uint8)
    out = ops_enhance.upscale(large, 2.0)
    assert out.shape == large.shape and out is not large


def test_sharpen_raises_detail(face_image: np.ndarray) -> None:
    assert detail(ops_enhance.sharpen(face_image)) > detail(face_image) * 1.5


def test_denoise_brings_a_noisy_picture_closer_to_the_clean_one(scene: np.ndarray) -> None:
    clean = cv2.GaussianBlur(scene, (0, 0), 1.0)
    noise = np.random.default_rng(7).normal(0, 12, clean.shape)
    noisy = np.clip(clean + noise, 0, 255).astype(np.uint8)
    denoised = ops_enhance.denoise(noisy, 10.0)
    before = np.abs(noisy.astype(int) - clean).mean()
    after = np.abs(denoised.astype(int) - clean).mean()
    assert after < before * 0.6


def test_local_contrast_lifts_a_flat_picture_and_keeps_its_colours(face_image: np.ndarray) -> None:
    flat = cv2.convertScaleAbs(face_image, alpha=0.4, beta=90)
    out = ops_enhance.local_contrast(flat)
    lightness = cv2.cvtColor(out, cv2.COLOR_RGB2LAB)[..., 0]
    assert lightness.std() > cv2.cvtColor(flat, cv2.COLOR_RGB2LAB)[..., 0].std() * 1.3
    hue_in = cv2.cvtColor(flat, cv2.COLOR_RGB2LAB)[..., 1:].astype(int)
    hue_out = cv2.cvtColor(out, cv2.COLOR_RGB2LAB)[..., 1:].astype(int)
    assert np.abs(hue_in - hue_out).mean() < 3.0
