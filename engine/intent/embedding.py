"""Sentence embedding + a small trained head: logistic regression over [embedding, n-grams, has_image].

The head trains in a second or two and is cached under `<data_dir>/intent/`, keyed by a
hash of everything it learned from (examples, corrections, embedder, head settings), so
a second construction loads it instead of training. Corrections retrain it.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import InvalidRequest
from engine.intent.classifier import Classifier, build_classification
from engine.intent.examples import TRAIN_PATH, examples_digest, load_examples
from engine.intent.features import TfidfFeatures
from engine.intent.models import Classification, ClassifyRequest, LabelledExample, Method, Workflow
from engine.intent.normalize import normalize_prompt
from engine.providers.base import Embedder

__all__ = ["EmbeddingClassifier", "HeadSettings", "IntentHead"]


@dataclass(frozen=True)
class HeadSettings:
    """How the head is trained. Chosen by 5-fold cross-validation on the training set only."""

    c: float = 30.0
    ngram_weight: float = 1.0
    image_weight: float = 1.0
    correction_weight: float = 4.0
    version: int = 1

    def fingerprint(self) -> str:
        return f"head-v{self.version}:c={self.c}:ng={self.ngram_weight}:img={self.image_weight}:cw={self.correction_weight}"


@dataclass(frozen=True)
class IntentHead:
    """A trained linear head: logits = features @ coef.T + intercept."""

    labels: tuple[Workflow, ...]
    coef: np.ndarray
    intercept: np.ndarray
    ngrams: TfidfFeatures
    settings: HeadSettings

    def features(self, embeddings: np.ndarray, texts: Sequence[str], has_image: Sequence[bool]) -> np.ndarray:
        image = np.asarray(has_image, dtype=np.float32).reshape(-1, 1) * self.settings.image_weight
        grams = self.ngrams.transform(texts) * self.settings.ngram_weight
        return np.hstack([np.asarray(embeddings, dtype=np.float32), grams, image])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = features @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        """Write atomically: a crash never leaves a half-written cache file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=".head-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(
                    file,
                    labels=np.array([label.value for label in self.labels]),
                    coef=self.coef,
                    intercept=self.intercept,
                    vocabulary=np.array(self.ngrams.vocabulary, dtype=str),
                    idf=self.ngrams.idf,
                )
            os.replace(staging, path)
        finally:
            if os.path.exists(staging):
                os.unlink(staging)

    @classmethod
    def load(cls, path: Path, settings: HeadSettings) -> IntentHead:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                labels=tuple(Workflow(str(label)) for label in data["labels"]),
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"].astype(np.float32),
                ngrams=TfidfFeatures([str(term) for term in data["vocabulary"]], data["idf"]),
                settings=settings,
            )


class EmbeddingClassifier(Classifier):
    """Classifies by meaning: one `embed` call per batch, then a linear head in numpy.

    `embedder` is any `Embedder` (the embedded MiniLM adapter, an OpenAI one...). With a
    `data_dir` the head is cached at `<data_dir>/intent/head-<hash>.npz`; without, it is
    trained in memory on every construction.
    """

    method = Method.EMBEDDING

    def __init__(
        self,
        embedder: Embedder,
        data_dir: Path | None = None,
        examples: Sequence[LabelledExample] | None = None,
        corrections: Sequence[LabelledExample] = (),
        settings: HeadSettings | None = None,
    ) -> None:
        self._embedder = embedder
        self._examples = list(examples) if examples is not None else load_examples(TRAIN_PATH)
        self._corrections: list[LabelledExample] = list(corrections)
        self._cache_dir = Path(data_dir) / "intent" if data_dir is not None else None
        self.settings = settings or HeadSettings()
        self._lock = threading.Lock()
        self.trained_now = False
        """True when the last (re)build trained the head rather than loading it from the cache."""
        self.head = self._build()

    @property
    def corrections(self) -> tuple[LabelledExample, ...]:
        return tuple(self._corrections)

    @property
    def cache_key(self) -> str:
        model = getattr(self._embedder, "model_name", type(self._embedder).__name__)
        return examples_digest(
            [*self._examples, *self._corrections], str(model), self.settings.fingerprint(),
            f"corrections={len(self._corrections)}",
        )

    def retrain(self, corrections: Sequence[LabelledExample]) -> None:
        """Learn from corrections (a person's labels for requests we got wrong), weighted up."""
        with self._lock:
            self._corrections.extend(corrections)
            self.head = self._build()

    def classify_many(self, requests: Sequence[ClassifyRequest]) -> list[Classification]:
        if not requests:
            return []
        start = time.perf_counter()
        head = self.head
        texts = [request.prompt for request in requests]
        embeddings = self._embedder.embed(texts)
        probabilities = head.probabilities(head.features(embeddings, texts, [r.has_image for r in requests]))
        each_ms = (time.perf_counter() - start) * 1000 / len(requests)
        results = []
        for request, row in zip(requests, probabilities, strict=True):
            order = np.argsort(row)[::-1]
            best = head.labels[int(order[0])]
            runners = ", ".join(f"{head.labels[int(i)].value} {row[i]:.2f}" for i in order[:3])
            reasoning = f"closest workflows by meaning: {runners}; has_image={request.has_image}"
            results.append(
                build_classification(request, best, float(row[order[0]]), reasoning, self.method, each_ms)
            )
        return results

    # --- training -------------------------------------------------------------------

    def _build(self) -> IntentHead:
        key = self.cache_key
        self.version = key[:24]
        """Names what the head learned from; it changes when a retrain adds corrections."""
        path = self._cache_dir / f"head-{key[:24]}.npz" if self._cache_dir else None
        if path is not None and path.is_file():
            try:
                head = IntentHead.load(path, self.settings)
                self.trained_now = False
                return head
            except (OSError, ValueError, KeyError):
                path.unlink(missing_ok=True)  # unreadable cache: retrain and rewrite it
        head = self._train()
        self.trained_now = True
        if path is not None:
            head.save(path)
        return head

    def _train(self) -> IntentHead:
        from sklearn.linear_model import LogisticRegression  # training only; inference is numpy

        rows = [*self._examples, *self._corrections]
        texts = [normalize_prompt(example.prompt) for example in rows]
        labels = sorted({example.workflow for example in rows}, key=lambda w: list(Workflow).index(w))
        if len(labels) < 2:
            raise InvalidRequest("examples", "label requests of at least two workflows to train the intent head")
        weights = np.array(
            [1.0] * len(self._examples) + [self.settings.correction_weight] * len(self._corrections)
        )
        embeddings = self._embedder.embed(texts)
        ngrams = TfidfFeatures.fit(texts)
        draft = IntentHead(tuple(labels), np.zeros(0), np.zeros(0), ngrams, self.settings)
        features = draft.features(embeddings, texts, [example.has_image for example in rows])
        target = np.array([labels.index(example.workflow) for example in rows])
        model = LogisticRegression(C=self.settings.c, max_iter=5000)
        model.fit(features, target, sample_weight=weights)
        coef, intercept = model.coef_, model.intercept_
        if len(labels) == 2:  # binary: softmax over logits [0, z] is the sigmoid of z
            coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
        return IntentHead(
            labels=tuple(labels),
            coef=coef.astype(np.float32),
            intercept=intercept.astype(np.float32),
            ngrams=ngrams,
            settings=self.settings,
        )
