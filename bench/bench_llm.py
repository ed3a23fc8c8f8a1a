"""SmolLM2 load time, time-to-first-token and tokens/s: the embedded adapter vs a naive baseline.

Adapter: bf16 weights from the safetensors cache, our KV-cache decoding loop.
Baseline: what a start without the cache does — parse the GGUF every time, fp32,
`model.generate` with a `TextIteratorStreamer` on a thread.
Also: the same bf16 weights streamed through `TextIteratorStreamer`, to compare the
two streaming methods' time to first token. Run: `.venv/bin/python bench/bench_llm.py`.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROMPT = "Write a detailed paragraph about the history of the Roman Empire."
NEW_TOKENS = 64
RUNS = 3


def hf_stream(model: Any, tokenizer: Any, new_tokens: int) -> tuple[float, int, float]:
    """TTFT, tokens and seconds of `model.generate` streamed through TextIteratorStreamer."""
    from transformers import TextIteratorStreamer

    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": PROMPT}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    output: dict[str, Any] = {}

    def run() -> None:
        output["ids"] = model.generate(
            **inputs, max_new_tokens=new_tokens, do_sample=False, streamer=streamer
        )

    started = time.perf_counter()
    thread = threading.Thread(target=run)
    thread.start()
    first = None
    for piece in streamer:
        if first is None and piece:
            first = time.perf_counter() - started
    thread.join()
    elapsed = time.perf_counter() - started
    tokens = int(output["ids"].shape[1] - inputs["input_ids"].shape[1])
    return first or elapsed, tokens, elapsed


def adapter_stream(model: Any, new_tokens: int) -> tuple[float, int, float]:
    from engine.providers.base import TextRequest

    request = TextRequest.from_prompt(PROMPT, temperature=0.0, max_new_tokens=new_tokens)
    started = time.perf_counter()
    first = None
    pieces = []
    for piece in model.stream(request):
        pieces.append(piece)
        if first is None:
            first = time.perf_counter() - started
    elapsed = time.perf_counter() - started
    tokens = len(model._tokenizer.encode("".join(pieces), add_special_tokens=False))
    return first or elapsed, tokens, elapsed


def median_runs(fn: Any, *args: Any) -> tuple[float, float]:
    """Median TTFT (ms) and median tokens/s over RUNS runs, after a short warm-up."""
    fn(*args[:-1], 4)
    ttfts, rates = [], []
    for _ in range(RUNS):
        ttft, tokens, elapsed = fn(*args)
        ttfts.append(ttft * 1000)
        rates.append(tokens / elapsed)
    return statistics.median(ttfts), statistics.median(rates)


def main() -> None:
    import tempfile

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    from engine.providers.embedded.text import CACHE_NAME, EmbeddedTextModel, gguf_path
    from engine.settings import load_settings

    logging.disable_progress_bar()
    logging.set_verbosity_error()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        settings = load_settings(data_dir=Path(tmp), _env_file=None, torch_threads=2, use_cuda=False)
        started = time.perf_counter()
        EmbeddedTextModel(settings).close()  # first start: converts the GGUF into the cache
        convert_s = time.perf_counter() - started
        started = time.perf_counter()
        model = EmbeddedTextModel(settings)
        load_s = time.perf_counter() - started
        cache = settings.data_dir / "models" / CACHE_NAME
        print(f"llm cache={cache} first_start_s={convert_s:.1f} (one-time conversion)")
        ttft, rate = median_runs(adapter_stream, model, NEW_TOKENS)

        # Same bf16 weights, streamed the usual way: which streaming method starts sooner?
        st_ttft, st_rate = median_runs(hf_stream, model._model, model._tokenizer, NEW_TOKENS)
        model.close()

    source = gguf_path()
    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    baseline = AutoModelForCausalLM.from_pretrained(
        source.parent, gguf_file=source.name, dtype=torch.float32
    ).eval()
    base_load_s = time.perf_counter() - started
    base_ttft, base_rate = median_runs(hf_stream, baseline, tokenizer, NEW_TOKENS)

    print(f"llm load_s={load_s:.2f} baseline_load_s={base_load_s:.2f} load_ratio={base_load_s / load_s:.1f}x")
    print(
        f"llm ttft_ms={ttft:.0f} baseline_ttft_ms={base_ttft:.0f} ttft_ratio={base_ttft / ttft:.2f}x faster"
    )
    print(f"llm tok_s={rate:.1f} baseline_tok_s={base_rate:.1f} ratio={rate / base_rate:.2f}x")
    print(
        f"llm stream_method bf16: manual_loop_ttft_ms={ttft:.0f} streamer_ttft_ms={st_ttft:.0f} "
        f"(tok_s {rate:.1f} vs {st_rate:.1f})"
    )


if __name__ == "__main__":
    main()
