"""All configuration, read once from `STUDIO_*` environment variables or `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from engine.accounts import Accounts, resolve_accounts
from engine.errors import ConfigError

__all__ = ["Settings", "load_settings"]

ProviderList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Every `STUDIO_*` setting, with its default. The README lists them all."""

    model_config = SettingsConfigDict(
        env_prefix="STUDIO_", env_file=".env", extra="ignore", validate_default=True, populate_by_name=True
    )

    data_dir: Path = Field(Path("./data"), description="Where the DuckDB file, media and model caches live.")
    model_cache_dir: Path | None = Field(None, description="Where converted model caches live (default: <data_dir>/models).")

    text_provider: str = Field("embedded", description="Adapter for text generation.")
    embeddings_provider: str = Field("embedded", description="Adapter for sentence embeddings.")
    image_provider: str = Field("embedded", description="Adapter for text-to-image.")
    video_provider: str = Field("embedded", description="Adapter that encodes frames and audio to MP4.")
    speech_provider: str = Field("embedded", description="Adapter for speech synthesis.")
    vision_provider: str = Field("embedded", description="Adapter for face detection and landmarks.")
    voice_clone_provider: str = Field("none", description="Adapter that clones a voice from a sample (none: no cloning).")
    image_edit_provider: str = Field("embedded", description="Adapter for image edits (instruction, img2img, inpaint).")
    face_swap_provider: str = Field("none", description="Adapter for face swaps (none: not offered).")
    talking_head_provider: str = Field("none", description="Adapter for talking heads, image + audio → video (none: not offered).")
    image_to_video_provider: str = Field("embedded", description="Adapter for image-to-video.")
    text_to_video_provider: str = Field("none", description="Adapter for text-to-video (none: not offered).")
    fallback_providers: ProviderList = Field(
        default_factory=lambda: ["embedded"],
        description="Comma-separated adapters tried, in order, when the chosen one fails.",
    )

    openai_api_key: SecretStr | None = Field(None, description="Key for OpenAI or an OpenAI-compatible server.")
    openai_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server (Ollama, vLLM).")
    openai_text_model: str = Field("gpt-4o-mini", description="Chat model used by the openai text adapter.")
    openai_embeddings_model: str = Field("text-embedding-3-small", description="Embedding model of the openai adapter.")
    gemini_api_key: SecretStr | None = Field(None, description="Key for Google Gemini.")
    openai_image_model: str = Field("gpt-image-1", description="Image model of the openai adapter (generation and edits).")
    openai_speech_model: str = Field("gpt-4o-mini-tts", description="Text-to-speech model of the openai adapter.")
    openai_speech_voice: str = Field(
        "alloy", description="Voice of the openai speech adapter when a request names a voice it does not have."
    )
    gemini_text_model: str = Field("gemini-2.5-flash", description="Gemini model used for text.")
    gemini_image_model: str = Field(
        "gemini-2.5-flash-image", description="Gemini model that makes and edits images (it must offer image output)."
    )
    gemini_speech_model: str = Field("gemini-2.5-flash-preview-tts", description="Gemini text-to-speech model.")
    gemini_speech_voice: str = Field(
        "Kore", description="Voice of the gemini speech adapter when a request names a voice it does not have."
    )
    gemini_base_url: str | None = Field(
        None, description="Base URL of the Gemini API (default: Google's); for a proxy or gateway in front of it."
    )
    provider_retries: int = Field(
        2, ge=0, le=10, description="Retries of a remote call refused with HTTP 429 or 5xx, honouring its retry-after."
    )
    provider_retry_max_wait_s: float = Field(
        20.0, ge=0, description="Longest retry-after a remote call waits out; a longer one fails at once as rate limited."
    )
    faceswap_model: Path | None = Field(
        None,
        description="A face-swapper ONNX file (the inswapper_128 interface: target 1x3x128x128 + source 1x512 latent), "
        "e.g. inswapper_128.onnx as distributed for insightface; the face_swap adapter `insightface` runs it.",
    )
    faceswap_analysis_dir: Path | None = Field(
        None,
        description="Folder of an insightface face-analysis pack (a detection ONNX such as det_10g.onnx and a "
        "recognition ONNX such as w600k_r50.onnx, e.g. the unzipped buffalo_l pack) used to find faces for the swap.",
    )
    talking_head_model: Path | None = Field(
        None,
        description="Folder with a Wav2Lip lip-sync ONNX (inputs source 1x1x80x16 mel, target 1x6x96x96), e.g. "
        "wav2lip_gan_96.onnx as distributed for FaceFusion; the talking_head adapter `wav2lip` runs it.",
    )
    replicate_api_token: SecretStr | None = Field(None, description="Token for Replicate.")
    replicate_image_model: str = Field("black-forest-labs/flux-schnell", description="Replicate text-to-image model.")
    replicate_base_url: str | None = Field(None, description="Base URL of the Replicate API (unset: api.replicate.com; or a proxy).")
    replicate_poll_s: float = Field(1.0, gt=0, le=60, description="Seconds between two polls of a running Replicate prediction.")
    replicate_timeout_s: float = Field(900.0, gt=0, description="Longest a Replicate prediction may run before it is cancelled.")
    replicate_retries: int = Field(4, ge=1, le=20, description="Attempts at one Replicate request that answers 429 or 5xx (backoff honours retry-after).")
    diffusers_model: str | None = Field(None, description="Local folder or hub id of a Stable Diffusion pipeline for the diffusers adapter.")
    diffusers_dtype: Literal["auto", "float16", "bfloat16", "float32"] = Field(
        "auto", description="Weights dtype of the diffusers pipeline (auto: float16 on CUDA, float32 on CPU)."
    )
    diffusers_steps: int = Field(25, ge=1, le=150, description="Denoising steps of the diffusers adapter.")
    diffusers_guidance: float = Field(7.0, ge=0.0, le=30.0, description="Classifier-free guidance scale of the diffusers adapter.")
    diffusers_size: int = Field(512, ge=64, le=2048, description="Image side in pixels of the diffusers adapter (a multiple of 8).")
    diffusers_scheduler: Literal["default", "ddim", "euler", "euler_a", "dpm", "pndm"] = Field(
        "default", description="Noise scheduler of the diffusers pipeline (default: the one it was saved with)."
    )
    diffusers_compile: bool = Field(False, description="torch.compile the diffusers UNet (slow first call, faster after).")
    diffusers_attention_slicing: bool = Field(False, description="Attention slicing in the diffusers pipeline (less memory, slower).")
    provider_timeout_s: float = Field(60.0, gt=0, description="Timeout of one remote provider call.")

    redis_url: str | None = Field(None, description="Redis URL for shared cache, limits and breakers, e.g. redis://127.0.0.1:6379/0; while it does not answer they run in-process (System tab says so).")
    redis_namespace: str = Field("studio", description="Prefix of every Redis key the studio writes.")
    cache_ttl_s: float = Field(86400.0, gt=0, description="How long a cached classification lives.")
    cache_maxsize: int = Field(10_000, ge=1, description="Most entries in the in-process cache.")
    rate_limit_per_minute: str = Field("30/minute", description="Requests per user per minute (empty: no limit).")
    rate_limit_per_hour: str = Field("500/hour", description="Requests per user per hour (empty: no limit).")
    cost_limit_per_hour_usd: float = Field(5.0, ge=0, description="Estimated spend per user per hour (0: no limit).")
    breaker_fail_max: int = Field(5, ge=1, description="Failures in a row that open a provider's circuit breaker.")
    breaker_reset_s: float = Field(30.0, gt=0, description="Seconds an open breaker waits before a trial call.")
    breaker_success_threshold: int = Field(1, ge=1, description="Successful trial calls that close a breaker again.")
    ai_classifier_rollout_percent: float = Field(
        100.0, ge=0, le=100, description="Share of users (stable hash of the id) who get the AI classifiers."
    )

    router_threshold: float = Field(
        0.7, ge=0, le=1, description="Complexity from which text requests go to the strong model."
    )
    router_local_fallback: bool = Field(True, description="Fall back to the local model when the strong one fails.")
    router_window_hours: float = Field(168.0, gt=0, description="Sliding window of measured performance the router uses.")
    router_success_floor: float = Field(
        0.8, ge=0, le=1, description="Local success rate for a kind below which the router sends it to the strong model."
    )
    router_rating_floor: float = Field(
        3.0, ge=1, le=5, description="Local mean rating for a kind below which the router sends it to the strong model."
    )
    analytics_rollup_interval_s: float = Field(
        300.0, ge=0, description="How often the dashboards' closed-day rollups are checked and rebuilt (0 = never)."
    )

    cpu_workers: int = Field(2, ge=1, le=64, description="Worker threads on the CPU device; also the most drawing "
                                                         "processes the embedded image stand-in keeps per device.")
    queue_max_pending: int = Field(1000, ge=1, description="Most pending jobs the queue accepts.")
    queue_max_batch: int = Field(8, ge=1, le=256, description="Largest dynamic batch of compatible jobs.")
    queue_batch_window_ms: int = Field(20, ge=0, le=5000, description="How long a batch waits for company.")
    job_timeout_s: float = Field(600.0, gt=0, description="Default per-job timeout.")
    job_retries: int = Field(2, ge=0, le=20, description="Default retries of a failed job.")
    use_cuda: bool = Field(True, description="Use CUDA devices when torch sees them.")

    text_max_new_tokens: int = Field(256, ge=1, le=8192, description="Default token budget of one text generation.")
    torch_threads: int = Field(2, ge=1, le=256, description="Threads torch uses on the CPU.")

    host: str = Field(
        "127.0.0.1",
        validation_alias=AliasChoices("STUDIO_HOST", "GRADIO_SERVER_NAME"),
        description="Address the studio listens on (else GRADIO_SERVER_NAME, as Spaces and containers set it).",
    )
    port: int = Field(
        7860,
        ge=1,
        le=65535,
        validation_alias=AliasChoices("STUDIO_PORT", "GRADIO_SERVER_PORT"),
        description="Port the studio listens on (else GRADIO_SERVER_PORT).",
    )
    share: bool = Field(False, description="Create a public Gradio share link.")
    auth_username: str | None = Field(None, description="User name required on the studio (with a password).")
    auth_password: SecretStr | None = Field(None, description="Password required on the studio (with a user name).")
    auth_users: SecretStr | None = Field(
        None, description="Several login accounts: comma-separated 'user:password' pairs."
    )
    auth_users_file: Path | None = Field(
        None, description="A file of login accounts, one 'user:password' a line (# comments allowed)."
    )
    admin_users: ProviderList = Field(
        default_factory=list,
        description="Comma-separated account names that see every job and the analytics (with auth on).",
    )
    c2pa_cert: Path | None = Field(
        None,
        description="PEM certificate chain (signer first) for C2PA manifests (default: a self-signed one in <data_dir>/c2pa).",
    )
    c2pa_key: Path | None = Field(None, description="PEM private key of STUDIO_C2PA_CERT's signer certificate.")

    max_upload_mb: float = Field(20.0, gt=0, description="Largest file a visitor may upload, in MB.")
    max_image_pixels: int = Field(
        40_000_000, ge=1_000_000, description="Largest image accepted (width x height), read from its header before decoding."
    )
    upload_cache_ttl_s: int = Field(
        3600, ge=0, description="Seconds Gradio keeps uploads and served copies in its cache (0: until restart)."
    )

    _accounts: Accounts = PrivateAttr(default_factory=lambda: Accounts({}))

    @field_validator("fallback_providers", "admin_users", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "text_provider",
        "embeddings_provider",
        "image_provider",
        "video_provider",
        "speech_provider",
        "vision_provider",
        "voice_clone_provider",
        "image_edit_provider",
        "face_swap_provider",
        "talking_head_provider",
        "image_to_video_provider",
        "text_to_video_provider",
    )
    @classmethod
    def _provider_name(cls, value: str) -> str:
        value = value.strip().lower()
        if not value:
            raise ValueError("must name an adapter, e.g. 'embedded'")
        return value

    def provider_for(self, capability: str) -> str | None:
        """The adapter configured for a capability; None when it is set to `none`."""
        name = str(getattr(self, f"{capability}_provider"))
        return None if name == "none" else name

    @model_validator(mode="after")
    def _whole_login(self) -> Settings:
        """Read and check the accounts once; a `ConfigError` naming the setting when half-configured."""
        self._accounts = resolve_accounts(
            username=self.auth_username,
            password=self.auth_password.get_secret_value() if self.auth_password else None,
            users=self.auth_users.get_secret_value() if self.auth_users else None,
            users_file=self.auth_users_file,
            admins=self.admin_users,
        )
        return self

    @property
    def accounts(self) -> Accounts:
        """Every login account (empty: no login, each visitor is their browser session).

        Resolved when the settings are validated: change the auth settings through
        `load_settings(...)`, not `model_copy(update=...)`, which does not validate again."""
        return self._accounts

    @property
    def database_path(self) -> Path:
        return self.data_dir / "studio.duckdb"

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation failure into one readable `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        setting = field if field.isupper() else f"STUDIO_{field.upper()}"  # an alias is already the env name
        got = first.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        raise ConfigError(setting, f"{first['msg']}{shown}") from exc
