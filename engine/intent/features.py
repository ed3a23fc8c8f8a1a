"""Word n-gram TF-IDF features that sit beside the sentence embedding in the trained head.

The embedding carries meaning; these carry the few words that decide a boundary
("video" against "photo", "with music" against silence) that a 384-d sentence vector
blurs. Pure numpy, so a cached head needs no pickle to load.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["TfidfFeatures"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b|@\w+")


def _ngrams(text: str) -> list[str]:
    words = ["@mention" if word.startswith("@") else word for word in _TOKEN.findall(text.lower())]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class TfidfFeatures:
    """Sublinear TF-IDF over unigrams and bigrams, rows L2-normalised (as scikit-learn's default)."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 1) -> TfidfFeatures:
        document_frequency: Counter[str] = Counter()
        for text in texts:
            document_frequency.update(set(_ngrams(text)))
        vocabulary = sorted(term for term, count in document_frequency.items() if count >= min_df)
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + document_frequency[t])) + 1 for t in vocabulary], np.float32)
        return cls(vocabulary, idf)

    @property
    def dimension(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term, count in Counter(_ngrams(text)).items():
                column = self.index.get(term)
                if column is not None:
                    rows[row, column] = (1.0 + math.log(count)) * self.idf[column]
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms > 0, norms, 1.0)
