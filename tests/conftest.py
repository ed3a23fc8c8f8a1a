"""Shared test set-up. Fixtures live in tests/fixtures/ modules, one per area."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

pytest_plugins = [
    "tests.fixtures.storage",
    "tests.fixtures.models",
    "tests.fixtures.engines",
]
