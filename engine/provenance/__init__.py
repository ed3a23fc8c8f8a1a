"""Provenance that travels with the media: signed C2PA manifests, and the identity that signs them.

Public API: `MediaSigner` (`sign_media`, `read`), `C2paReport`, `SigningIdentity`,
`signing_identity` (STUDIO_C2PA_CERT/KEY or a local chain generated at first start),
`SIGNED_MIME_TYPES`. The visible and spoken labels and the embedded JSON manifest live in
`engine.scenarios.provenance`.
"""

from engine.provenance.c2pa_signing import (
    SIGNED_MIME_TYPES,
    STUDIO_ASSERTION,
    C2paReport,
    MediaSigner,
    c2pa_definition,
)
from engine.provenance.certificates import SigningIdentity, signing_identity

__all__ = [
    "SIGNED_MIME_TYPES",
    "STUDIO_ASSERTION",
    "C2paReport",
    "MediaSigner",
    "SigningIdentity",
    "c2pa_definition",
    "signing_identity",
]
