"""The in-process engine: storage, models, queue and the flow services, built from settings."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from engine.deletion import DeletionService
from engine.errors import ConfigError
from engine.limits import OwnerLimits
from engine.playground import PlaygroundService
from engine.jobs import register_generation_jobs
from engine.provenance import MediaSigner, signing_identity
from engine.providers.gateway import ModelGateway
from engine.providers.registry import ProviderRegistry
from engine.queue import GenerationQueue, QueueConfig, detect_devices
from engine.resilience import Resilience, ResilienceConfig, build_resilience
from engine.settings import Settings
from engine.system import SystemService
from storage.database import Database
from storage.generations import GenerationLog
from storage.media import MediaStore
from storage.ownership import Tombstones

if TYPE_CHECKING:
    from engine.analytics import AnalyticsService
    from engine.routing import RoutedText
    from engine.intent.service import IntentService
    from engine.personas import PersonaService
    from engine.scenarios import ScenarioService
    from engine.story import StoryService

__all__ = ["Engine", "build_engine", "prepare_data_dir"]


def prepare_data_dir(path: Path) -> Path:
    """Create the data directory and prove it is writable, or say plainly what to do."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(
            "STUDIO_DATA_DIR", f"{path} is not a writable folder ({exc.strerror or exc}); point it at one you can write to"
        ) from exc
    return path.resolve()


class Engine:
    """Everything a tab, the CLI or a test needs; built by `build_engine`."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        media: MediaStore,
        registry: ProviderRegistry,
        generations: GenerationLog,
        queue: GenerationQueue,
        resilience: Resilience,
        signer: MediaSigner,
    ) -> None:
        self.settings = settings
        self.db = db
        self.media = media
        self.registry = registry
        self.generations = generations
        self.models = ModelGateway(registry, generations, resilience.breakers)
        self.queue = queue
        self.resilience = resilience
        self.signer = signer  # C2PA manifests on every image, video and voice recording of a person
        self.limits = OwnerLimits(resilience.limiter)
        self.system = SystemService(self)
        self.deletion = DeletionService(self)
        self.playground = PlaygroundService(self)
        self.intent: IntentService
        self.scenarios: ScenarioService
        self.story: StoryService
        self.analytics: AnalyticsService
        self.routed_text: RoutedText
        self.personas: PersonaService
        self._started = False

    def start(self) -> Engine:
        """Start the queue workers (resuming unfinished jobs). Call after registering job handlers."""
        if not self._started:
            self.queue.start()
            self._started = True
        return self

    def close(self) -> None:
        for service in (getattr(self, "scenarios", None), getattr(self, "intent", None), getattr(self, "analytics", None)):
            if service is not None:
                service.close()
        if self._started:
            self.queue.stop(wait=True)
        self.generations.close()
        self.registry.close()
        self.resilience.close()
        self.db.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resilience_config(settings: Settings) -> ResilienceConfig:
    from engine.intent.service import AI_CLASSIFIER_FLAG

    return ResilienceConfig(
        redis_url=settings.redis_url,
        namespace=settings.redis_namespace,
        cache_ttl_s=settings.cache_ttl_s,
        cache_maxsize=settings.cache_maxsize,
        rate_limit_per_minute=settings.rate_limit_per_minute or None,
        rate_limit_per_hour=settings.rate_limit_per_hour or None,
        cost_limit_per_hour_usd=settings.cost_limit_per_hour_usd or None,
        breaker_fail_max=settings.breaker_fail_max,
        breaker_reset_s=settings.breaker_reset_s,
        breaker_success_threshold=settings.breaker_success_threshold,
        rollouts={AI_CLASSIFIER_FLAG: settings.ai_classifier_rollout_percent},
    )


def build_engine(settings: Settings, plugins: Iterable[str] = ()) -> Engine:
    """Build the engine from settings; configuration problems raise `ConfigError` before any work."""
    registry = ProviderRegistry(settings)
    registry.load_plugins(plugins)
    registry.check_configured()
    from engine.imaging import set_pixel_limit

    set_pixel_limit(settings.max_image_pixels)  # Pillow's own bomb guard agrees with the upload limit
    data_dir = prepare_data_dir(settings.data_dir)
    signer = MediaSigner(signing_identity(settings.c2pa_cert, settings.c2pa_key, data_dir))
    db = Database(data_dir / "studio.duckdb")
    try:
        tombstones = Tombstones(db)
        media = MediaStore(data_dir / "media", db, tombstones)
        media.sweep_temporary()
        generations = GenerationLog(db, tombstones=tombstones)
        queue = GenerationQueue(db, detect_devices(settings.use_cuda, settings.cpu_workers), QueueConfig.from_settings(settings))
        resilience = build_resilience(resilience_config(settings))
    except BaseException:
        db.close()
        raise
    engine = Engine(settings, db, media, registry, generations, queue, resilience, signer)
    register_generation_jobs(engine)
    # Flow services register their queue job kinds here, before start(), so a restart
    # finds a handler for every unfinished job.
    from engine.intent.service import IntentService
    from engine.scenarios import ScenarioService
    from engine.story import StoryService
    from engine.personas import PersonaService

    engine.intent = IntentService(engine)
    engine.scenarios = ScenarioService(engine)
    engine.story = StoryService(engine)
    engine.personas = PersonaService(db=db, media=media, models=engine.models, queue=queue, limits=engine.limits,
                                     settings=settings)
    engine.deletion.sweep()  # what a crash left without an owner
    from engine.analytics import build_analytics

    engine.analytics, engine.routed_text = build_analytics(settings, db, engine.models, generations)
    engine.deletion.add_flusher(engine.analytics.flush)  # buffered router decisions and samples, before a deletion
    return engine
