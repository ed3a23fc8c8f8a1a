"""all-MiniLM-L6-v2 through the embedded embedder."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import Embedder
from engine.providers.embedded.embeddings import BATCH_SIZE, EmbeddedEmbedder


def test_vectors_are_384_d_and_unit_length(embedder: Embedder) -> None:
    vectors = embedder.embed(["a red apple", "a quick brown fox", "the stock market fell"])
    assert embedder.dimension == 384
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_paraphrases_are_closer_than_unrelated_sentences(embedder: Embedder) -> None:
    a, b, c = embedder.embed(
        [
            "The children are playing football in the park.",
            "Kids kick a ball around on the playground.",
            "The central bank raised interest rates again.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_batch_equals_one_by_one(embedder: Embedder) -> None:
    texts = ["first sentence", "a second, longer sentence with more words in it"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_empty_and_wrong_input(embedder: Embedder) -> None:
    assert embedder.embed([]).shape == (0, 384)
    with pytest.raises(InvalidRequest, match="texts"):
        embedder.embed("one string")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match="texts"):
        embedder.embed(["fine", 3])  # type: ignore[list-item]


# --- the lean path against SentenceTransformer.encode ----------------------------

LONG = " ".join(f"word{i} of a very long prompt about a lighthouse," for i in range(80))  # > 256 tokens
MIXED_LENGTHS = [
    "hi",
    "a red apple",
    "make a short video of a cat chasing a laser pointer across the kitchen floor",
    "Restore this old photo: remove the scratches, fix the faded colours and sharpen the faces.",
    LONG,
    "",
]


def _embedded(embedder: Embedder) -> EmbeddedEmbedder:
    assert isinstance(embedder, EmbeddedEmbedder), "the session fixture should be the embedded adapter"
    return embedder


def _encode(embedder: EmbeddedEmbedder, texts: list[str]) -> np.ndarray:
    return embedder.sentence_transformer.encode(
        texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True
    )


def test_equals_sentence_transformers_encode(embedder: Embedder) -> None:
    model = _embedded(embedder)
    tokens = model.sentence_transformer.tokenizer(LONG)["input_ids"]
    assert len(tokens) > model.sentence_transformer.max_seq_length  # the truncation case is exercised
    expected = _encode(model, MIXED_LENGTHS)
    together = model.embed(MIXED_LENGTHS)
    alone = np.vstack([model.embed([text]) for text in MIXED_LENGTHS])
    for got in (together, alone):
        cosine = np.sum(got * expected, axis=1)
        assert cosine.min() >= 0.9999, cosine
        np.testing.assert_allclose(got, expected, atol=1e-4)


def test_does_not_go_through_encode(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _embedded(embedder)
    expected = model.embed(["a quiet harbour at dawn"])

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("embed should not call SentenceTransformer.encode for MiniLM")

    monkeypatch.setattr(model.sentence_transformer, "encode", refuse)
    np.testing.assert_array_equal(model.embed(["a quiet harbour at dawn"]), expected)


def test_text_past_256_tokens_is_truncated(embedder: Embedder) -> None:
    a, b = embedder.embed([LONG, LONG + " and then something completely different happened to the boat"])
    assert float(a @ b) == pytest.approx(1.0, abs=1e-5)


def test_large_mixed_batch_keeps_the_callers_order(embedder: Embedder) -> None:
    model = _embedded(embedder)
    texts = [f"request {i}: " + "paint the sea " * (i % 7) + ("and a boat " * (i % 3)) for i in range(150)]
    texts[37] = LONG
    assert len(texts) > BATCH_SIZE  # several sorted chunks
    vectors = model.embed(texts)
    expected = _encode(model, texts)
    assert np.sum(vectors * expected, axis=1).min() >= 0.9999
    for i in (0, 1, 37, 64, 65, 149):
        np.testing.assert_allclose(vectors[i], model.embed([texts[i]])[0], atol=1e-4)
