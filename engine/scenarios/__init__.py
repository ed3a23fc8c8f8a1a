"""Onboarding and scenarios: a person's photo and voice become a personalised scam-awareness course.

Public API: `ScenarioService` and its request/response models.
"""

from engine.scenarios.models import (
    AssetStatus,
    CacheStats,
    CallView,
    CourseModule,
    CourseStep,
    DeletionReport,
    Narration,
    OnboardRequest,
    OnboardResult,
    QuizQuestion,
    QuizScore,
    ScenarioView,
    StepView,
    UserProfile,
    VoiceProfile,
)
from engine.scenarios.service import ScenarioService

__all__ = [
    "AssetStatus",
    "CacheStats",
    "CallView",
    "CourseModule",
    "CourseStep",
    "DeletionReport",
    "Narration",
    "OnboardRequest",
    "OnboardResult",
    "QuizQuestion",
    "QuizScore",
    "ScenarioService",
    "ScenarioView",
    "StepView",
    "UserProfile",
    "VoiceProfile",
]
