"""Fixtures of the provider tests: the Replicate stand-in and gateway, and the scenario media."""

from tests.providers.replicate_fixtures import remote, standin  # noqa: F401 - fixtures
from tests.scenarios.conftest import face_jpeg, voice_wav  # noqa: F401 - fixtures
