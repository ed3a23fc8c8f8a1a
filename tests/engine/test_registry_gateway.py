from collections.abc import Iterator

import numpy as np
import pytest

from engine.errors import ConfigError, InvalidRequest, ProviderError, ProviderUnavailable
from engine.providers.base import Capability, TextRequest
from engine.providers.gateway import CallContext, ModelGateway
from engine.providers.generative import FaceSwapRequest
from engine.providers.registry import AdapterSpec, ProviderRegistry
from engine.resilience import BreakerBoard
from engine.settings import Settings, load_settings
from storage.database import Database
from storage.generations import GenerationLog
from tests import fakes


def _gateway(settings: Settings, db: Database) -> Iterator[ModelGateway]:
    registry = ProviderRegistry(settings)
    registry.load_plugins(["tests.fakes"])
    log = GenerationLog(db)
    yield ModelGateway(registry, log)
    log.close()


@pytest.fixture
def gateway(data_dir, db: Database) -> Iterator[ModelGateway]:
    settings = load_settings(
        data_dir=data_dir, text_provider="broken", fallback_providers="scripted,embedded", _env_file=None
    )
    yield from _gateway(settings, db)


def test_builtins_and_plugins_register_the_same_way(settings: Settings) -> None:
    registry = ProviderRegistry(settings)
    registry.load_plugins(["tests.fakes"])
    assert {"embedded", "openai", "gemini", "scripted", "broken"} <= set(registry.providers_for(Capability.TEXT))
    assert set(registry.providers_for(Capability.VISION)) >= {"embedded"}


def test_unknown_provider_names_the_setting(data_dir) -> None:
    registry = ProviderRegistry(load_settings(data_dir=data_dir, image_provider="dall-e-9", _env_file=None))
    registry.load_plugins()
    with pytest.raises(ConfigError) as caught:
        registry.check_configured()
    assert caught.value.setting == "STUDIO_IMAGE_PROVIDER"
    assert "dall-e-9" in caught.value.user_message and "embedded" in caught.value.user_message


def test_missing_key_for_a_cloud_provider_names_the_key(data_dir) -> None:
    registry = ProviderRegistry(load_settings(data_dir=data_dir, text_provider="openai", _env_file=None))
    registry.load_plugins()
    with pytest.raises(ConfigError, match="STUDIO_OPENAI_API_KEY"):
        registry.check_configured()


def test_chain_is_primary_then_fallbacks_that_serve_the_capability(gateway: ModelGateway) -> None:
    assert gateway.text.chain() == ["broken", "scripted", "embedded"]
    assert gateway.registry.chain(Capability.VISION) == ["embedded"]


def test_failure_falls_back_and_every_attempt_is_recorded(gateway: ModelGateway) -> None:
    answer = gateway.text.complete("hello", context=CallContext(user_id="u1"))
    assert answer == fakes.ScriptedText.reply
    records = sorted(gateway.log.recent(10), key=lambda r: r.created_at)
    assert [(r.provider, r.outcome) for r in records] == [("broken", "error"), ("scripted", "ok")]
    assert records[1].fallback_from == "broken"
    assert records[0].error == "broken on purpose"
    assert records[1].user_id == "u1" and records[1].cost_usd == pytest.approx(0.01)


def test_streaming_falls_back_before_the_first_piece(gateway: ModelGateway) -> None:
    pieces = list(gateway.text.stream(TextRequest.from_prompt("hi")))
    assert pieces == fakes.ScriptedText.reply.split(" ")
    assert {r.provider for r in gateway.log.recent(10)} == {"broken", "scripted"}


def test_invalid_request_does_not_fall_back(gateway: ModelGateway) -> None:
    with pytest.raises(InvalidRequest):
        gateway.text.generate([])
    assert gateway.log.count() == 0


def test_when_every_adapter_fails_the_error_lists_them(data_dir, db: Database) -> None:
    settings = load_settings(data_dir=data_dir, text_provider="broken", fallback_providers="needs-key", _env_file=None)
    for gateway in _gateway(settings, db):
        with pytest.raises(ProviderUnavailable) as caught:
            gateway.text.complete("hello")
        message = caught.value.user_message
        assert "broken: broken on purpose" in message and "needs-key" in message and "STUDIO_X" in message


def test_adapters_are_built_once(gateway: ModelGateway) -> None:
    first = gateway.registry.get(Capability.TEXT, "scripted")
    assert gateway.registry.get(Capability.TEXT, "scripted") is first
    with pytest.raises(ProviderError):
        gateway.registry.get(Capability.TEXT, "needs-key")


def test_the_gateway_says_which_adapter_served_after_a_fallback(gateway: ModelGateway) -> None:
    served = gateway.text._serve("generate", [TextRequest.from_prompt("hi")], None)
    assert (served.provider, served.model, served.fallback_from) == ("scripted", "scripted-1", "broken")
    assert served.cost_usd == pytest.approx(0.01)


def test_adapters_are_built_per_device_when_they_hold_a_model(settings: Settings) -> None:
    built: list[str] = []

    def factory(s: Settings, device: str) -> fakes.ScriptedText:
        built.append(device)
        return fakes.ScriptedText()

    registry = ProviderRegistry(settings)
    registry.register(AdapterSpec("per-device", Capability.TEXT, factory, "one per device", per_device=True))
    registry.register(AdapterSpec("shared", Capability.TEXT, factory, "one for all"))
    cpu, gpu = registry.get(Capability.TEXT, "per-device", "cpu"), registry.get(Capability.TEXT, "per-device", "cuda:1")
    assert cpu is not gpu and registry.get(Capability.TEXT, "per-device", "cuda:1") is gpu
    assert registry.get(Capability.TEXT, "shared", "cpu") is registry.get(Capability.TEXT, "shared", "cuda:1")
    assert built == ["cpu", "cuda:1", "cpu"]
    assert registry.loaded_devices(Capability.TEXT, "per-device") == ["cpu", "cuda:1"]


def test_a_capability_set_to_none_names_its_setting(gateway: ModelGateway) -> None:
    assert gateway.registry.chain(Capability.FACE_SWAP) == []
    with pytest.raises(ProviderUnavailable, match="STUDIO_FACE_SWAP_PROVIDER"):
        gateway.face_swap.swap([FaceSwapRequest(face=np.zeros((8, 8, 3), np.uint8), target=np.zeros((8, 8, 3), np.uint8))])
    assert not gateway.voice_clone.runnable()


def test_a_remote_provider_trips_its_own_breaker_in_the_gateway(data_dir, db: Database) -> None:
    settings = load_settings(data_dir=data_dir, text_provider="remote-broken", fallback_providers="scripted", _env_file=None)
    registry = ProviderRegistry(settings)
    registry.load_plugins(["tests.fakes"])
    registry.register(AdapterSpec("remote-broken", Capability.TEXT, lambda s, d: fakes.BrokenText(), "remote", local=False))
    log = GenerationLog(db)
    gateway = ModelGateway(registry, log, BreakerBoard(fail_max=2, reset_timeout_s=60))
    calls_before = fakes.BrokenText.calls
    for _ in range(4):
        assert gateway.text.complete("hello") == fakes.ScriptedText.reply  # served by the fallback every time
    assert gateway.breakers is not None and gateway.breakers.states() == {"remote-broken": "open"}
    assert fakes.BrokenText.calls - calls_before == 2  # the open circuit sent nothing more
    log.close()
