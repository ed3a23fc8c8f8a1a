"""Hybrid routing of text requests between the bundled local model and a strong one."""

from engine.routing.features import WEIGHTS, complexity
from engine.routing.router import Calibration, HybridRouter, RouteDecision
from engine.routing.text import RoutedAnswer, RoutedRun, RoutedStream, RoutedText

__all__ = [
    "WEIGHTS",
    "Calibration",
    "HybridRouter",
    "RouteDecision",
    "RoutedAnswer",
    "RoutedRun",
    "RoutedStream",
    "RoutedText",
    "complexity",
]
