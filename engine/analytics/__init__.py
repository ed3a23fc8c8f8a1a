"""The learning loop: feedback, dashboards, the improvement report and training-set export.

`build_analytics` wires it with the router (engine/routing) from the kernel's parts.
"""

from __future__ import annotations

from engine.analytics.models import ExportFormat, ExportResult, Feedback, Report
from engine.analytics.service import CHARTS, AnalyticsService
from engine.providers.gateway import ModelGateway
from engine.routing import HybridRouter, RoutedText
from engine.settings import Settings
from storage.database import Database
from storage.generations import GenerationLog
from storage.routing import RouterLog

__all__ = [
    "CHARTS",
    "AnalyticsService",
    "ExportFormat",
    "ExportResult",
    "Feedback",
    "Report",
    "build_analytics",
]


def build_analytics(
    settings: Settings, db: Database, gateway: ModelGateway, generations: GenerationLog
) -> tuple[AnalyticsService, RoutedText]:
    """The analytics service and routed text generation, sharing one router and its log."""
    log = RouterLog(db)
    router = HybridRouter(settings, gateway.registry, log)
    return AnalyticsService(settings, db, generations, log, router), RoutedText(gateway, router, log)
