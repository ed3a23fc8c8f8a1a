"""Score choices by the model's likelihood: constrained choice, no free text to parse.

A `ChoiceRequest` gives one context per choice and one text; the score of a choice is
log p(text | its context). The contexts of a request run once, as one left-padded batch,
and stay cached (keyed by the contexts), so a request costs one batched pass of its own
text over every choice's cached context; the cache is cut back to the contexts after it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidRequest
from engine.providers.base import ChoiceRequest, ChoiceResult

__all__ = ["ChoiceScorer"]

_CONTEXT_SETS_KEPT = 4


@dataclass
class _Contexts:
    """The KV cache of a batch of contexts, their mask, and each one's next-token log-probabilities."""

    cache: Any
    mask: Any
    lengths: list[int]
    next_log_probs: Any


class ChoiceScorer:
    """log p(text | context) for every context, under a causal LM. Callers hold the model's lock."""

    def __init__(self, model: Any, tokenizer: Any, device: Any, context_tokens: int) -> None:
        self._model = model
        self._tokenizer = tokenizer
        self._device = device
        self._context_tokens = context_tokens
        self._pad = int(tokenizer.pad_token_id or 0)
        self._contexts: OrderedDict[tuple[str, ...], _Contexts] = OrderedDict()

    def score(self, requests: Sequence[ChoiceRequest]) -> list[ChoiceResult]:
        return [self._score_one(request) for request in requests]

    def close(self) -> None:
        self._contexts.clear()
        self._model = None

    def _encode(self, text: str) -> list[int]:
        return [int(i) for i in self._tokenizer.encode(text, add_special_tokens=False)]

    def _score_one(self, request: ChoiceRequest) -> ChoiceResult:
        import torch

        text = self._encode(request.text)
        if not text:
            raise InvalidRequest("text", "give a text to score")
        contexts = self._prepared(request.contexts, len(text))
        rows = len(request.contexts)
        mask = torch.cat([contexts.mask, torch.ones(rows, len(text), dtype=contexts.mask.dtype, device=self._device)], 1)
        lengths = torch.tensor(contexts.lengths, device=self._device).unsqueeze(1)
        positions = lengths + torch.arange(len(text), device=self._device).unsqueeze(0)
        inputs = torch.tensor([text] * rows, device=self._device)
        with torch.inference_mode():
            try:
                logits = self._model(
                    input_ids=inputs, attention_mask=mask, position_ids=positions,
                    past_key_values=contexts.cache, use_cache=True,
                ).logits
            except BaseException:
                self._contexts.pop(request.contexts, None)  # a half-extended cache is no use to anyone
                raise
            contexts.cache.crop(-len(text))  # back to the contexts alone, for the next request
            log_probs = logits[:, :-1].float().log_softmax(-1)
            targets = torch.tensor(text[1:], device=self._device).expand(rows, -1).unsqueeze(-1)
            rest = log_probs.gather(-1, targets).squeeze(-1).sum(-1) if len(text) > 1 else torch.zeros(rows)
            first = contexts.next_log_probs[:, text[0]]
        return ChoiceResult(log_probs=tuple(float(v) for v in (first + rest.to(first.device))))

    def _prepared(self, texts: tuple[str, ...], text_tokens: int) -> _Contexts:
        """The cached contexts (run once, as one left-padded batch)."""
        import torch

        found = self._contexts.get(texts)
        if found is None:
            encoded = [self._encode(text) or [self._pad] for text in texts]
            width = max(len(ids) for ids in encoded)
            if width + text_tokens > self._context_tokens:
                raise InvalidRequest(
                    "contexts", f"{width} + {text_tokens} tokens exceed the {self._context_tokens}-token context"
                )
            inputs = torch.tensor([[self._pad] * (width - len(ids)) + ids for ids in encoded], device=self._device)
            mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in encoded], device=self._device)
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            with torch.inference_mode():
                out = self._model(input_ids=inputs, attention_mask=mask, position_ids=positions, use_cache=True)
            found = _Contexts(
                cache=out.past_key_values, mask=mask, lengths=[len(ids) for ids in encoded],
                next_log_probs=out.logits[:, -1].float().log_softmax(-1),
            )
            self._contexts[texts] = found
            while len(self._contexts) > _CONTEXT_SETS_KEPT:
                self._contexts.popitem(last=False)
        else:
            self._contexts.move_to_end(texts)
            if found.mask.shape[1] + text_tokens > self._context_tokens:
                raise InvalidRequest("text", f"the text is too long for the {self._context_tokens}-token context")
        return found
