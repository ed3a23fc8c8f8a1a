"""The embedded plugin registers every capability it can serve offline, cheaply."""

from __future__ import annotations

import subprocess
import sys

from engine.providers.base import Capability
from engine.providers.registry import ProviderRegistry
from engine.settings import Settings


def test_every_capability_is_registered_and_available(
    embedded_registry: ProviderRegistry, embedded_settings: Settings
) -> None:
    specs = {s.capability: s for s in embedded_registry.specs() if s.provider == "embedded"}
    generative_only = {Capability.VOICE_CLONE, Capability.FACE_SWAP, Capability.TALKING_HEAD, Capability.TEXT_TO_VIDEO}
    assert set(specs) == set(Capability) - generative_only
    assert all(spec.check(embedded_settings) is None for spec in specs.values())


def test_importing_the_plugin_loads_no_heavy_library() -> None:
    code = (
        "import sys, engine.providers.embedded as e; "
        "heavy = {'torch', 'transformers', 'cv2', 'mediapipe', 'sentence_transformers'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
