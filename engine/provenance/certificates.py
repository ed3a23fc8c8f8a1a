"""The certificate and key that sign C2PA manifests: a person's own (STUDIO_C2PA_CERT/KEY) or,
by default, a local chain generated at first start into `<data_dir>/c2pa`.

The generated chain follows the C2PA certificate profile: a CA certificate (P-256,
basicConstraints CA, keyCertSign) signs an end-entity certificate (P-256 for ES256,
digitalSignature key usage, emailProtection extended key usage, subject and authority key
identifiers). It is trusted by nobody but this studio, so other C2PA readers report the
manifest as valid but its signer as untrusted ("signingCredential.untrusted").
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from engine.errors import ConfigError

__all__ = ["IDENTITY_DIR", "SigningIdentity", "generated_identity", "load_identity", "signing_identity"]

IDENTITY_DIR = "c2pa"
_CHAIN, _KEY, _CA = "studio-c2pa-chain.pem", "studio-c2pa-key.pem", "studio-c2pa-ca.pem"
_VALID_DAYS = 3650
_RENEW_BEFORE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class SigningIdentity:
    """A PEM chain (signer first), its private key, the C2PA algorithm name and the anchors we trust."""

    chain_pem: bytes
    key_pem: bytes
    alg: str
    trust_anchors_pem: str
    source: Literal["generated", "configured"]
    cert_path: Path


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _algorithm(key: object, setting: str) -> str:
    """The C2PA signing algorithm for a private key; ConfigError for one C2PA cannot use."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curves = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
        if key.curve.name in curves:
            return curves[key.curve.name]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return "ps256"
    raise ConfigError(setting, "C2PA signs with an EC P-256/P-384/P-521, Ed25519 or RSA (2048+ bits) key; use one of those")


def _public_der(public_key: object) -> bytes:
    der, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(der, spki)  # type: ignore[attr-defined]


def load_identity(cert_path: Path, key_path: Path) -> SigningIdentity:
    """A configured chain and key, checked before any signing: readable PEM, the key matches the signer certificate,
    the signer certificate is not expired."""
    try:
        chain_pem = cert_path.read_bytes()
        key_pem = key_path.read_bytes()
    except OSError as exc:
        setting = "STUDIO_C2PA_CERT" if exc.filename == str(cert_path) else "STUDIO_C2PA_KEY"
        raise ConfigError(setting, f"cannot read {exc.filename} ({exc.strerror}); point it at a PEM file") from exc
    try:
        certificates = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise ConfigError("STUDIO_C2PA_CERT", f"{cert_path} holds no PEM certificate chain ({exc})") from exc
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError("STUDIO_C2PA_KEY", f"{key_path} holds no unencrypted PEM private key ({exc})") from exc
    alg = _algorithm(key, "STUDIO_C2PA_KEY")
    signer = certificates[0]
    if _public_der(signer.public_key()) != _public_der(key.public_key()):
        raise ConfigError("STUDIO_C2PA_KEY", f"{key_path} is not the key of the first certificate in {cert_path}; put the signer first")
    if signer.not_valid_after_utc <= _utcnow():
        raise ConfigError("STUDIO_C2PA_CERT", f"the signer certificate in {cert_path} expired on {signer.not_valid_after_utc:%Y-%m-%d}")
    roots = [c for c in certificates[1:] if c.issuer == c.subject] or certificates[-1:]
    anchors = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in roots).decode()
    return SigningIdentity(chain_pem, key_pem, alg, anchors, "configured", cert_path)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Studio (local, self-signed)"),
    ])  # fmt: skip


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=not signer, crl_sign=not signer, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _write_chain(directory: Path) -> None:
    """A fresh CA and signer certificate; the private keys never leave `directory` (the CA key is not kept)."""
    now = _utcnow()
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=_VALID_DAYS)
    ca_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name, signer_name = _name("Studio local C2PA CA"), _name("Studio C2PA signer")
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    signer = (
        x509.CertificateBuilder().subject_name(signer_name).issuer_name(ca_name).public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    key_pem = signer_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / _KEY
    fd = os.open(key_path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    (directory / _CA).write_bytes(ca.public_bytes(pem))
    (directory / _CHAIN).with_suffix(".tmp").write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))
    os.replace(key_path.with_suffix(".tmp"), key_path)  # key first: a chain on disk always has its key
    os.replace((directory / _CHAIN).with_suffix(".tmp"), directory / _CHAIN)


def generated_identity(directory: Path) -> SigningIdentity:
    """The local chain in `directory`, generated on first use and renewed 30 days before it expires."""
    chain, key = directory / _CHAIN, directory / _KEY
    try:
        if not (chain.exists() and key.exists()):
            _write_chain(directory)
        identity = load_identity(chain, key)
    except ConfigError:  # expired, or a half-written pair from a crash: make a new one
        _write_chain(directory)
        identity = load_identity(chain, key)
    if x509.load_pem_x509_certificates(identity.chain_pem)[0].not_valid_after_utc - _RENEW_BEFORE <= _utcnow():
        _write_chain(directory)
        identity = load_identity(chain, key)
    return SigningIdentity(identity.chain_pem, identity.key_pem, identity.alg, identity.trust_anchors_pem, "generated", chain)


def signing_identity(cert: Path | None, key: Path | None, data_dir: Path) -> SigningIdentity:
    """STUDIO_C2PA_CERT and STUDIO_C2PA_KEY when both are set; the generated local chain when neither is."""
    if cert is None and key is None:
        return generated_identity(data_dir / IDENTITY_DIR)
    if cert is None:
        raise ConfigError("STUDIO_C2PA_CERT", "STUDIO_C2PA_KEY is set without its certificate chain; set both or neither")
    if key is None:
        raise ConfigError("STUDIO_C2PA_KEY", "STUDIO_C2PA_CERT is set without its private key; set both or neither")
    return load_identity(cert, key)
