"""The parts every flow service draws from, built once from settings.

```python
kernel = build_kernel(settings)
story = StoryService(db=kernel.db, models=kernel.models, queue=kernel.queue, media=kernel.media,
                     limits=kernel.limits, routed_text=routed_text)
```

`build_engine` builds the kernel, then each service with the few parts it uses, then the `Engine`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError
from engine.limits import OwnerLimits
from engine.provenance import MediaSigner, signing_identity
from engine.providers.gateway import ModelGateway
from engine.providers.registry import ProviderRegistry
from engine.queue import GenerationQueue, QueueConfig, detect_devices
from engine.resilience import Resilience, ResilienceConfig, build_resilience
from engine.settings import Settings
from storage.database import Database
from storage.generations import GenerationLog
from storage.media import MediaStore
from storage.ownership import Tombstones

__all__ = ["Kernel", "build_kernel", "prepare_data_dir", "resilience_config"]


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


@dataclass(frozen=True)
class Kernel:
    """Settings, storage, the model gateway, the queue, resilience, limits and the media signer."""

    settings: Settings
    db: Database
    media: MediaStore
    registry: ProviderRegistry
    generations: GenerationLog
    models: ModelGateway  # the gateway: every model call goes through it (breakers, records)
    queue: GenerationQueue
    resilience: Resilience
    limits: OwnerLimits
    signer: MediaSigner  # C2PA manifests on every image, video and voice recording of a person

    def close(self) -> None:
        """Stop the queue (letting running handlers finish), then close what holds resources."""
        self.queue.stop(wait=True)
        self.generations.close()
        self.registry.close()
        self.resilience.close()
        self.db.close()


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


def build_kernel(settings: Settings, plugins: Iterable[str] = ()) -> Kernel:
    """Build the shared parts; configuration problems raise `ConfigError` before any work."""
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
    return Kernel(
        settings=settings, db=db, media=media, registry=registry, generations=generations,
        models=ModelGateway(registry, generations, resilience.breakers), queue=queue, resilience=resilience,
        limits=OwnerLimits(resilience.limiter), signer=signer,
    )
