"""The forward pass of a Hugging Face `BertModel` (eval mode, no pooler) in a few plain torch calls.

Calling the `transformers` module costs about 2 ms of Python per request on a 2-core CPU
(module hooks, output recording, mask building), more than the arithmetic of a 12-token
sentence through MiniLM-L6. This computes the same `last_hidden_state` from the same
weights: each linear layer one `addmm` against a K x N copy of its weight (about 20% faster
than `F.linear` for a handful of rows), attention through `scaled_dot_product_attention`,
with a padding mask only when the batch has padding. Only the embedded embedder imports
this module, after it has checked that torch is installed.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

__all__ = ["BertEncoder"]


class BertEncoder:
    """`BertModel(...).last_hidden_state` for token ids and an attention mask. Call under
    `torch.inference_mode()`; build it with `BertEncoder.supports(module)` checked first."""

    def __init__(self, module: Any) -> None:
        config = module.config
        embeddings = module.embeddings
        self.heads = int(config.num_attention_heads)
        self.width = int(config.hidden_size)
        self.eps = float(config.layer_norm_eps)
        self.word = embeddings.word_embeddings.weight.detach()
        self.position = embeddings.position_embeddings.weight.detach()
        self.token_type = embeddings.token_type_embeddings.weight[0].detach()  # one segment: all zeros
        self.norm = (embeddings.LayerNorm.weight.detach(), embeddings.LayerNorm.bias.detach())
        self.layers = [_Layer(layer) for layer in module.encoder.layer]

    @staticmethod
    def supports(module: Any) -> bool:
        """True for an encoder-only BERT with absolute positions and exact GELU (MiniLM, BERT)."""
        config = getattr(module, "config", None)
        return (
            config is not None
            and getattr(config, "model_type", None) == "bert"
            and getattr(config, "hidden_act", None) == "gelu"
            and getattr(config, "position_embedding_type", "absolute") == "absolute"
            and not getattr(config, "is_decoder", False)
            and not getattr(config, "add_cross_attention", False)
            and not getattr(config, "pruned_heads", None)
            and hasattr(module, "embeddings")
            and hasattr(module, "encoder")
        )

    def __call__(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        batch, length = input_ids.shape
        width, heads = self.width, self.heads
        x = F.embedding(input_ids, self.word) + self.token_type + self.position[:length]
        x = F.layer_norm(x, (width,), *self.norm, self.eps).view(batch * length, width)
        mask = None
        if not bool(attention_mask.all()):  # padded batch: keys at padding get no attention
            mask = attention_mask.bool().view(batch, 1, 1, length)
        for layer in self.layers:
            qkv = torch.addmm(layer.qkv_bias, x, layer.qkv).view(batch, length, 3, heads, width // heads)
            q, k, v = qkv.permute(2, 0, 3, 1, 4)
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            context = context.transpose(1, 2).reshape(batch * length, width)
            attended = torch.addmm(layer.out_bias, context, layer.out) + x
            x = F.layer_norm(attended, (width,), *layer.norm1, self.eps)
            hidden = F.gelu(torch.addmm(layer.up_bias, x, layer.up))
            fed = torch.addmm(layer.down_bias, hidden, layer.down) + x
            x = F.layer_norm(fed, (width,), *layer.norm2, self.eps)
        return x.view(batch, length, width)


class _Layer:
    """One encoder layer's weights, transposed to K x N and query/key/value fused."""

    def __init__(self, layer: Any) -> None:
        attention = layer.attention
        query, key, value = attention.self.query, attention.self.key, attention.self.value
        self.qkv = torch.cat([query.weight, key.weight, value.weight]).detach().t().contiguous()
        self.qkv_bias = torch.cat([query.bias, key.bias, value.bias]).detach()
        self.out, self.out_bias = _transposed(attention.output.dense)
        self.norm1 = (attention.output.LayerNorm.weight.detach(), attention.output.LayerNorm.bias.detach())
        self.up, self.up_bias = _transposed(layer.intermediate.dense)
        self.down, self.down_bias = _transposed(layer.output.dense)
        self.norm2 = (layer.output.LayerNorm.weight.detach(), layer.output.LayerNorm.bias.detach())


def _transposed(linear: Any) -> tuple[torch.Tensor, torch.Tensor]:
    return linear.weight.detach().t().contiguous(), linear.bias.detach()
