"""The intent lab: classify a creative request into a workflow, pick a model, enhance the prompt.

Three classifiers share one interface (`Classifier.classify` / `classify_many`):
`RulesClassifier` (keywords + context), `EmbeddingClassifier` (an `Embedder` + a trained
head, cached under the data directory) and `LLMClassifier` (any `TextModel`, JSON answers,
retries, then falls back to the embedding and rules classifiers).
"""

from engine.intent.catalogue import Catalogue, load_catalogue, select_model
from engine.intent.classifier import Classifier
from engine.intent.embedding import EmbeddingClassifier, HeadSettings
from engine.intent.enhance import enhance_prompt, resolve_mentions
from engine.intent.evaluate import evaluate
from engine.intent.examples import HELDOUT_PATH, TRAIN_PATH, load_examples
from engine.intent.llm import LLMAnswer, LLMClassifier
from engine.intent.models import (
    Classification,
    ClassifyRequest,
    ClassMetrics,
    EnhancedPrompt,
    EvaluationReport,
    LabelledExample,
    Method,
    ModelOption,
    ModelSelection,
    ProcessPlan,
    ProcessResult,
    Quality,
    RunStatus,
    Workflow,
)
from engine.intent.normalize import MAX_PROMPT_CHARS, normalize_prompt
from engine.intent.rules import RulesClassifier
from engine.intent.signals import parse_mentions

__all__ = [
    "HELDOUT_PATH",
    "MAX_PROMPT_CHARS",
    "TRAIN_PATH",
    "Catalogue",
    "ClassMetrics",
    "Classification",
    "Classifier",
    "ClassifyRequest",
    "EmbeddingClassifier",
    "EnhancedPrompt",
    "EvaluationReport",
    "HeadSettings",
    "LLMAnswer",
    "LLMClassifier",
    "LabelledExample",
    "Method",
    "ModelOption",
    "ModelSelection",
    "ProcessPlan",
    "ProcessResult",
    "Quality",
    "RulesClassifier",
    "RunStatus",
    "Workflow",
    "enhance_prompt",
    "evaluate",
    "load_catalogue",
    "load_examples",
    "normalize_prompt",
    "parse_mentions",
    "resolve_mentions",
    "select_model",
]
