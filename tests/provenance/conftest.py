"""Helpers for provenance tests: c2pa-python's own Reader, and a certificate chain of a person's own."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def c2pa_read(data: bytes, mime: str) -> tuple[str, list[str], dict[str, Any]]:
    """(validation state, failure codes, active manifest) as c2pa-python's Reader sees them, default settings."""
    with c2pa.Reader(mime, io.BytesIO(data)) as reader:
        state = reader.get_validation_state()
        results = reader.get_validation_results() or {}
        manifest = json.loads(reader.json())
    active = manifest["manifests"][manifest["active_manifest"]]
    failures = [item["code"] for item in (results.get("activeManifest") or {}).get("failure", [])]
    return state, failures, active


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org")])  # fmt: skip


def own_certificate(folder: Path, common_name: str, *, signing_use: bool = True) -> tuple[Path, Path]:
    """A person's own P-384 chain (signer, then its CA) and key, as PEM files; `signing_use=False` leaves out
    the extended key usage C2PA needs."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
                 encipher_only=False, decipher_only=False)  # fmt: skip
    ca = (
        x509.CertificateBuilder().subject_name(_name("Example CA")).issuer_name(_name("Example CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, **usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )  # fmt: skip
    builder = (
        x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), critical=True)
    )  # fmt: skip
    if signing_use:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    signer = (
        builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    pem = serialization.Encoding.PEM
    cert_path, key_path = folder / "chain.pem", folder / "key.pem"
    cert_path.write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))
    key_path.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def has_simulation_band(rgb: Any) -> bool:
    """The red band `burn_banner` draws across the bottom: its left end (clear of the centred text) is red."""
    import numpy as np

    image = np.asarray(rgb)
    height = image.shape[0]
    band = image[height - max(18, height // 14) + 2 : height - 2, 2:12].reshape(-1, 3).astype(float)
    red, green, blue = np.median(band, axis=0)
    return bool(red > 140 and green < 95 and blue < 100)
