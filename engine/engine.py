"""The in-process engine: the kernel's parts and the flow services, built from settings.

`build_engine` builds the kernel once (engine/kernel.py), then each service with only the parts
it uses, then the `Engine` holding all of them: no attribute of an engine appears later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from engine.deletion import DeletionService
from engine.jobs import register_generation_jobs
from engine.kernel import Kernel, build_kernel, prepare_data_dir
from engine.playground import PlaygroundService
from engine.settings import Settings
from engine.system import SystemService

if TYPE_CHECKING:
    from engine.analytics import AnalyticsService
    from engine.intent.service import IntentService
    from engine.personas import PersonaService
    from engine.routing import RoutedText
    from engine.scenarios import ScenarioService
    from engine.story import StoryService

__all__ = ["Engine", "build_engine", "prepare_data_dir"]


class Engine:
    """Everything a tab, the CLI or a test needs; built by `build_engine`."""

    def __init__(
        self,
        kernel: Kernel,
        *,
        system: SystemService,
        deletion: DeletionService,
        playground: PlaygroundService,
        intent: IntentService,
        scenarios: ScenarioService,
        story: StoryService,
        personas: PersonaService,
        analytics: AnalyticsService,
        routed_text: RoutedText,
    ) -> None:
        self.kernel = kernel
        self.settings = kernel.settings
        self.db = kernel.db
        self.media = kernel.media
        self.registry = kernel.registry
        self.generations = kernel.generations
        self.models = kernel.models
        self.queue = kernel.queue
        self.resilience = kernel.resilience
        self.limits = kernel.limits
        self.signer = kernel.signer
        self.system = system
        self.deletion = deletion
        self.playground = playground
        self.intent = intent
        self.scenarios = scenarios
        self.story = story
        self.personas = personas
        self.analytics = analytics
        self.routed_text = routed_text
        self._started = False

    def start(self) -> Engine:
        """Start the queue workers (resuming unfinished jobs)."""
        if not self._started:
            self.queue.start()
            self._started = True
        return self

    def close(self) -> None:
        for service in (self.scenarios, self.intent, self.analytics):
            service.close()
        self.kernel.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_engine(settings: Settings, plugins: Iterable[str] = ()) -> Engine:
    """Build the engine from settings; configuration problems raise `ConfigError` before any work."""
    kernel = build_kernel(settings, plugins)
    try:
        return _assemble(kernel)
    except BaseException:
        kernel.close()
        raise


def _assemble(kernel: Kernel) -> Engine:
    """Every service, each with its parts. Services that run queue jobs register their kinds here,
    once, before the queue starts, so a restart finds a handler for every unfinished job."""
    from engine.analytics import build_analytics
    from engine.intent.service import IntentService
    from engine.personas import PersonaService
    from engine.scenarios import ScenarioService
    from engine.story import StoryService

    k = kernel
    register_generation_jobs(k.queue, k.models, k.media)
    analytics, routed_text = build_analytics(k.settings, k.db, k.models, k.generations)
    # Buffered rows are written before a deletion removes the owner's rows.
    deletion = DeletionService(db=k.db, media=k.media, queue=k.queue, flushers=[k.generations.flush, analytics.flush])
    intent = IntentService(k, deletion, routed_text=routed_text)
    scenarios = ScenarioService(settings=k.settings, db=k.db, models=k.models, queue=k.queue, media=k.media,
                                signer=k.signer, limits=k.limits, deletion=deletion, outputs=k.generations)  # fmt: skip
    story = StoryService(db=k.db, models=k.models, queue=k.queue, media=k.media, limits=k.limits,
                         routed_text=routed_text)
    personas = PersonaService(db=k.db, media=k.media, models=k.models, queue=k.queue, limits=k.limits, settings=k.settings,
                              routed_text=routed_text)
    deletion.sweep()  # what a crash left without an owner
    return Engine(
        kernel,
        system=SystemService(registry=k.registry, models=k.models, queue=k.queue, generations=k.generations,
                             resilience=k.resilience),  # fmt: skip
        deletion=deletion,
        playground=PlaygroundService(limits=k.limits, media=k.media, models=k.models, routed_text=routed_text),
        intent=intent,
        scenarios=scenarios,
        story=story,
        personas=personas,
        analytics=analytics,
        routed_text=routed_text,
    )
