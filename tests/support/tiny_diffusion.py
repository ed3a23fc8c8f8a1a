"""Random-weight Stable Diffusion pipelines built offline: a tiny one for tests (CPU, seconds)
and an SD-1.5-sized one for the GPU bench (same compute as real weights)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["build_pipeline", "save_tiny_pipeline", "tiny_tokenizer_dir"]


def _bytes_to_unicode() -> dict[int, str]:
    """CLIP's byte → printable-character table (as in the CLIP tokenizer)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in chars), strict=True))


def tiny_tokenizer_dir(folder: Path) -> Path:
    """A CLIP tokenizer over single characters (no merges), written as vocab.json + merges.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    symbols = list(_bytes_to_unicode().values())
    vocab = {"<|startoftext|>": 0, "!": 1, "<|endoftext|>": 2}
    for symbol in symbols + [s + "</w>" for s in symbols]:
        vocab.setdefault(symbol, len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return folder


def build_pipeline(folder: Path, size: str = "tiny") -> Any:
    """A StableDiffusionPipeline with random weights: `tiny` (32-channel blocks) or `sd15` (SD-1.5 shapes)."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    tokenizer = CLIPTokenizer.from_pretrained(tiny_tokenizer_dir(folder / "_tokenizer"), model_max_length=77)
    if size == "tiny":
        unet = UNet2DConditionModel(
            block_out_channels=(32, 64), layers_per_block=1, sample_size=16, in_channels=4, out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=32, norm_num_groups=8, attention_head_dim=4,
        )
        vae = AutoencoderKL(
            block_out_channels=(8, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=8,
            down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
        )
        text = CLIPTextConfig(
            bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=32, intermediate_size=37,
            num_attention_heads=4, num_hidden_layers=2, vocab_size=len(tokenizer), max_position_embeddings=77,
        )
    else:  # the shapes of runwayml/stable-diffusion-v1-5
        unet = UNet2DConditionModel(sample_size=64, cross_attention_dim=768)
        vae = AutoencoderKL(
            block_out_channels=(128, 256, 512, 512), latent_channels=4,
            down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4, layers_per_block=2,
        )
        text = CLIPTextConfig(
            bos_token_id=0, eos_token_id=2, pad_token_id=1, hidden_size=768, intermediate_size=3072,
            num_attention_heads=12, num_hidden_layers=12, vocab_size=len(tokenizer), max_position_embeddings=77,
        )
    return StableDiffusionPipeline(
        unet=unet, vae=vae, text_encoder=CLIPTextModel(text), tokenizer=tokenizer,
        scheduler=DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, clip_sample=False,
                                steps_offset=1, set_alpha_to_one=False),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )


def save_tiny_pipeline(folder: Path, size: str = "tiny") -> Path:
    """Build and `save_pretrained` a random-weight pipeline into `folder/model`; returns that folder."""
    target = folder / "model"
    build_pipeline(folder, size).save_pretrained(target)
    return target
