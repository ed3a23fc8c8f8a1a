"""all-MiniLM-L6-v2 through the embedded embedder."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import InvalidRequest
from engine.providers.base import Embedder


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
