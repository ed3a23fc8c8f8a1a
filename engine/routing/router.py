"""The hybrid router: local bundled model or a strong one, per text request, with reasons.

Which models exist comes from the registry's statuses, never from names: the *local* model
is a configured, available text adapter marked `bundled`; a *strong* model is any other
configured, available text adapter (a cloud API, an OpenAI-compatible GPU server).

Decision rules, in order:
1. no strong model configured → local; no local model configured → strong;
2. complexity ≥ threshold (`STUDIO_ROUTER_THRESHOLD`, or the last `studio route calibrate`) → strong;
3. the local model's measured success rate for this kind < `STUDIO_ROUTER_SUCCESS_FLOOR`
   (≥ 5 calls), or its mean rating < `STUDIO_ROUTER_RATING_FLOOR` (≥ 3 ratings) → strong;
4. otherwise → local.
The chain handed to the gateway puts the chosen model first; after a strong model comes the
local one when `STUDIO_ROUTER_LOCAL_FALLBACK` is on. Measured performance is read from DuckDB
over `STUDIO_ROUTER_WINDOW_HOURS` and refreshed in the background at most once a minute, so a
decision costs microseconds, not a query.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from engine.errors import InvalidRequest
from engine.ownership import Owner
from engine.providers.base import Capability
from engine.providers.registry import ProviderRegistry
from engine.routing.features import complexity
from engine.settings import Settings
from storage.routing import DecisionRow, PerformanceRow, RouterLog

__all__ = ["Calibration", "HybridRouter", "RouteDecision"]

MIN_CALLS = 5
MIN_RATINGS = 3
REFRESH_S = 60.0


class RouteDecision(BaseModel):
    id: str
    kind: str
    complexity: float
    threshold: float
    features: dict[str, dict[str, object]]
    chosen: str
    tier: str  # local | strong
    chain: tuple[str, ...]
    reasons: list[str]
    overhead_ms: float

    def public(self) -> dict[str, object]:
        """The `studio route` answer."""
        return {"complexity": self.complexity, "features": self.features, "chosen": self.chosen, "reasons": self.reasons}


class Calibration(BaseModel):
    threshold: float
    share: float
    sample_size: int
    previous_threshold: float


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class HybridRouter:
    def __init__(self, settings: Settings, registry: ProviderRegistry, log: RouterLog) -> None:
        self._settings = settings
        self._registry = registry
        self._log = log
        self._threshold = log.calibrated_threshold() or settings.router_threshold
        self._performance: dict[tuple[str, str], PerformanceRow] = {}
        self._performance_at = float("-inf")
        self._tiers: tuple[str | None, tuple[str, ...]] | None = None
        self._refreshing = threading.Lock()

    @property
    def threshold(self) -> float:
        return self._threshold

    # -- what can run ------------------------------------------------------
    def tiers(self) -> tuple[str | None, tuple[str, ...]]:
        """(local provider or None, strong providers in chain order) from the registry's statuses."""
        if self._tiers is None:
            chain = self._registry.chain(Capability.TEXT)
            text = [s for s in self._registry.statuses() if s.capability is Capability.TEXT and s.configured and s.available]
            local = next((s.provider for s in text if s.bundled), None)
            strong = tuple(p for p in chain if any(s.provider == p and not s.bundled for s in text))
            self._tiers = (local, strong)
        return self._tiers

    # -- measured performance -------------------------------------------------
    def performance(self, wait: bool = False) -> dict[tuple[str, str], PerformanceRow]:
        """Per (provider, kind); refreshed in the background when older than a minute (`wait`: now)."""
        if wait:
            self._refresh()
        elif time.monotonic() - self._performance_at > REFRESH_S:
            if self._refreshing.acquire(blocking=False):
                self._refreshing.release()
                threading.Thread(target=self._refresh, name="router-performance", daemon=True).start()
        return self._performance

    def _refresh(self) -> None:
        with self._refreshing:
            since = _now() - timedelta(hours=self._settings.router_window_hours)
            rows = self._log.performance(since)
            self._performance = {(r.provider, r.kind): r for r in rows}
            self._performance_at = time.monotonic()

    # -- the decision ----------------------------------------------------------
    def decide(self, text: str, *, kind: str) -> RouteDecision:
        """Choose local or strong for one request (not logged; `record` logs it with its generation)."""
        started = time.perf_counter()
        if not text.strip():
            raise InvalidRequest("prompt", "give the text of the request to route")
        if not kind.strip():
            raise InvalidRequest("kind", "name the kind of request, e.g. playground or story_chapter")
        score, features = complexity(text)
        local, strong = self.tiers()
        threshold = self._threshold
        reasons: list[str] = [f"complexity {score:.2f} vs threshold {threshold:.2f}"]
        tier = self._choose(score, threshold, kind, local, strong, reasons)
        if tier == "strong":
            chosen = strong[0]
            chain = (chosen, local) if local and self._settings.router_local_fallback else (chosen,)
            if len(chain) > 1:
                reasons.append(f"falls back to the local model {local} if {chosen} fails")
        else:
            assert local is not None
            chosen, chain = local, (local,)
        return RouteDecision(
            id=uuid.uuid4().hex,
            kind=kind,
            complexity=score,
            threshold=threshold,
            features=features,
            chosen=chosen,
            tier=tier,
            chain=chain,
            reasons=reasons,
            overhead_ms=(time.perf_counter() - started) * 1000,
        )

    def _choose(
        self, score: float, threshold: float, kind: str, local: str | None, strong: tuple[str, ...], reasons: list[str]
    ) -> str:
        if local is None and not strong:
            raise InvalidRequest("STUDIO_TEXT_PROVIDER", "no text model is configured and available")
        if not strong:
            reasons.append("no strong text model is configured (only bundled ones); local model")
            return "local"
        if local is None:
            reasons.append("no bundled local model is configured; strong model")
            return "strong"
        if score >= threshold:
            reasons.append(f"complexity {score:.2f} ≥ {threshold:.2f}: strong model")
            return "strong"
        measured = self.performance().get((local, kind))
        if measured and measured.calls >= MIN_CALLS and measured.success_rate < self._settings.router_success_floor:
            reasons.append(
                f"local success rate for {kind} is {measured.success_rate:.0%} over {measured.calls} calls,"
                f" below the floor {self._settings.router_success_floor:.0%}: strong model"
            )
            return "strong"
        if measured and measured.ratings >= MIN_RATINGS and (measured.mean_rating or 0) < self._settings.router_rating_floor:
            reasons.append(
                f"local mean rating for {kind} is {measured.mean_rating:.1f} over {measured.ratings} ratings,"
                f" below the floor {self._settings.router_rating_floor:.1f}: strong model"
            )
            return "strong"
        if measured:
            rating = f", mean rating {measured.mean_rating:.1f}" if measured.mean_rating is not None else ""
            reasons.append(f"local model for {kind}: success {measured.success_rate:.0%} over {measured.calls} calls{rating}")
        else:
            reasons.append(f"no measurements yet for the local model on {kind}")
        reasons.append("easy enough for the local model")
        return "local"

    def record(self, decision: RouteDecision, *, owner: Owner | None, generation_id: str | None) -> None:
        """Log a decision (buffered) with the generation that served it."""
        self._log.record_decision(
            DecisionRow(
                id=decision.id,
                owner=owner.id if owner else None,
                kind=decision.kind,
                generation_id=generation_id,
                complexity=decision.complexity,
                threshold=decision.threshold,
                features=decision.features,
                chosen=decision.chosen,
                tier=decision.tier,
                reasons=decision.reasons,
                overhead_ms=decision.overhead_ms,
            )
        )

    def calibrate(self, share: float, last: int = 1000) -> Calibration:
        """Set the threshold so that about `share` of the last `last` requests would go to the strong model."""
        if not 0.0 < share < 1.0:
            raise InvalidRequest("share", "give a share between 0 and 1, e.g. 0.3")
        if last < 1:
            raise InvalidRequest("last", "use at least one request")
        scores = sorted(self._log.recent_complexities(last))
        if not scores:
            raise InvalidRequest("share", "no routed requests yet; route some requests before calibrating")
        index = min(len(scores) - 1, max(0, int(round(len(scores) * (1.0 - share)))))
        threshold = round(scores[index], 4)
        previous = self._threshold
        self._log.save_calibration(threshold, share, len(scores))
        self._threshold = threshold
        return Calibration(threshold=threshold, share=share, sample_size=len(scores), previous_threshold=previous)
