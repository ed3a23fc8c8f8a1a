"""Signed C2PA manifests (c2pa-python) on every image, video and voice recording of a person.

```python
signer = MediaSigner(signing_identity(settings.c2pa_cert, settings.c2pa_key, data_dir))
png = signer.sign_media(png_bytes, "image/png", record)   # record: engine.scenarios.provenance.manifest(...)
report = signer.read(png, "image/png")                      # report.state == "Trusted"
```

Formats covered: PNG, JPEG, MP4 and WAV (everything the studio makes of a person); anything
else is refused, and keeps the embedded JSON manifest only. The manifest carries one
`c2pa.actions` assertion (created, with its IPTC digital source type) and our record as the
`org.studio.provenance` assertion, without the person's id (a C2PA manifest is meant to be
read by anyone the file reaches). No thumbnail is embedded, and no timestamp authority is
asked (the studio is offline), so signing costs a few milliseconds.
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from engine.errors import ConfigError, InvalidRequest, ProviderError
from engine.provenance.certificates import SigningIdentity

if TYPE_CHECKING:
    import c2pa

__all__ = ["SIGNED_MIME_TYPES", "STUDIO_ASSERTION", "C2paReport", "MediaSigner", "c2pa_definition"]

SIGNED_MIME_TYPES = ("image/png", "image/jpeg", "video/mp4", "audio/wav")
STUDIO_ASSERTION = "org.studio.provenance"
_PRIVATE_KEYS = ("user_id", "owner")
_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
_AUDIO_KINDS = ("dub", "narration", "audio")
_ALGORITHMS = {"es256": "ES256", "es384": "ES384", "es512": "ES512", "ps256": "PS256", "ed25519": "ED25519"}


class C2paReport(BaseModel):
    """What a C2PA reader finds in a file: the validation state and the active manifest's parts."""

    model_config = ConfigDict(frozen=True)

    state: str = Field(description="'Trusted' (signer chains to an anchor we trust), 'Valid' or 'Invalid'.")
    failures: tuple[str, ...] = Field(description="Validation failure codes, e.g. 'signingCredential.untrusted'.")
    title: str | None
    signer: str | None = Field(description="Common name of the signing certificate.")
    issuer: str | None
    actions: tuple[dict[str, Any], ...]
    studio: dict[str, Any] | None = Field(description="Our provenance record, as signed.")


def _source_type(record: dict[str, Any]) -> str:
    chosen = record.get("digital_source_type")
    if chosen:
        return str(chosen) if str(chosen).startswith("http") else _IPTC + str(chosen)
    if record.get("kind") in _AUDIO_KINDS:
        speech = (record.get("models") or {}).get("speech", "embedded")
        return _IPTC + ("algorithmicMedia" if speech == "embedded" else "trainedAlgorithmicMedia")
    return _IPTC + "compositeSynthetic"


def c2pa_definition(record: dict[str, Any], mime: str) -> dict[str, Any]:
    """The C2PA manifest definition for one of our provenance records."""
    public = {key: value for key, value in record.items() if key not in _PRIVATE_KEYS}
    extension = {"image/png": "png", "image/jpeg": "jpg", "video/mp4": "mp4", "audio/wav": "wav"}[mime]
    action = {
        "action": "c2pa.created",
        "digitalSourceType": _source_type(record),
        "softwareAgent": {"name": str(record.get("generator", "Studio"))},
        "description": str(record.get("claim", "synthetic media")),
    }
    return {
        "claim_generator_info": [{"name": "Studio", "version": "0.1.0"}],
        "title": f"{record.get('asset', 'media')}.{extension}",
        "format": mime,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [action]}},
            {"label": STUDIO_ASSERTION, "data": public},
        ],
    }


def _trial_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 255, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _c2pa() -> Any:
    try:
        import c2pa
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigError("STUDIO_C2PA_CERT", "c2pa-python is not installed: pip install c2pa-python==0.38.1") from exc
    return c2pa


class MediaSigner:
    """Signs media with one identity; thread-safe (one signature at a time, a few ms each)."""

    def __init__(self, identity: SigningIdentity) -> None:
        self.identity = identity
        self._lock = threading.Lock()
        self._signer: c2pa.Signer | None = None
        self._context: c2pa.Context | None = None
        if identity.source == "configured":
            self._trial()

    @property
    def source(self) -> str:
        return self.identity.source

    def _ready(self) -> tuple[c2pa.Signer, c2pa.Context]:
        if self._signer is None or self._context is None:
            lib = _c2pa()
            info = lib.C2paSignerInfo(getattr(lib.C2paSigningAlg, _ALGORITHMS[self.identity.alg]),
                                      self.identity.chain_pem, self.identity.key_pem, None)  # fmt: skip
            settings = lib.Settings.from_dict({
                "builder": {"thumbnail": {"enabled": False}},
                "verify": {"verify_after_sign": False},
                "trust": {"trust_anchors": self.identity.trust_anchors_pem},
            })  # fmt: skip
            self._context = lib.Context(settings=settings)
            self._signer = lib.Signer.from_info(info)
        return self._signer, self._context

    def _trial(self) -> None:
        """Sign a 1x1 PNG now, so a certificate C2PA refuses is a ConfigError at start, not a failed asset later."""
        try:
            self.sign_media(_trial_png(), "image/png", {"asset": "trial", "kind": "image"})
        except ProviderError as exc:
            raise ConfigError(
                "STUDIO_C2PA_CERT",
                f"C2PA cannot sign with {self.identity.cert_path} ({exc.user_message}); it needs a signer certificate "
                "with the digitalSignature key usage and an extended key usage such as emailProtection or "
                "documentSigning, followed by its CA certificate",
            ) from exc

    def sign_media(self, data: bytes, mime: str, manifest: dict[str, Any]) -> bytes:
        """`data` with a signed C2PA manifest for `manifest` (our provenance record) embedded."""
        if mime not in SIGNED_MIME_TYPES:
            raise InvalidRequest("mime", f"C2PA signing here covers {', '.join(SIGNED_MIME_TYPES)}, not {mime!r}")
        lib = _c2pa()
        target = io.BytesIO()
        with self._lock:
            signer, context = self._ready()
            try:
                with lib.Builder(c2pa_definition(manifest, mime), context=context) as builder:
                    builder.sign(signer, mime, io.BytesIO(data), target)
            except lib.C2paError as exc:
                raise ProviderError(f"C2PA signing failed ({mime}): {exc}") from exc
        return target.getvalue()

    def read(self, data: bytes, mime: str) -> C2paReport | None:
        """The file's C2PA manifest checked against our trust anchors; None when it has none."""
        lib = _c2pa()
        with self._lock:
            context = self._ready()[1]
        try:
            reader = lib.Reader.try_create(mime, io.BytesIO(data), None, context)
        except lib.C2paError as exc:
            raise ProviderError(f"the C2PA manifest of this {mime} file cannot be read: {exc}") from exc
        if reader is None:
            return None
        with reader:
            active = reader.get_active_manifest() or {}
            results = reader.get_validation_results() or {}
            state = reader.get_validation_state() or "Invalid"
        failures = tuple(item["code"] for item in (results.get("activeManifest") or {}).get("failure", []))
        assertions = {item["label"]: item.get("data") for item in active.get("assertions", [])}
        actions = assertions.get("c2pa.actions.v2") or assertions.get("c2pa.actions") or {"actions": []}
        signature = active.get("signature_info") or {}
        return C2paReport(
            state=state, failures=failures, title=active.get("title"), signer=signature.get("common_name"),
            issuer=signature.get("issuer"), actions=tuple(actions.get("actions", [])),
            studio=assertions.get(STUDIO_ASSERTION),
        )  # fmt: skip
