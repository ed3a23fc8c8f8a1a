"""C2PA signing: the generated certificate chain, a person's own certificate, every format we make,
read back with c2pa-python's own Reader."""

from __future__ import annotations

import io
import stat
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from engine.engine import build_engine
from engine.errors import ConfigError, InvalidRequest
from engine.provenance import STUDIO_ASSERTION, MediaSigner, signing_identity
from engine.scenarios import provenance
from engine.settings import load_settings
from tests.provenance.conftest import c2pa_read, own_certificate

RECORD = provenance.manifest(asset="scene", kind="image", user_id="secret-person-id", sources={"photo": "abc"},
                             steps=["test"], models={"vision": "embedded"})  # fmt: skip


def png_of(seed: int = 0) -> bytes:
    image = np.random.default_rng(seed).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    return provenance.png_with_manifest(image, RECORD)


def wav_of(seconds: float = 0.5, rate: int = 22_050) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.sin(np.arange(int(rate * seconds)) * 0.06) * 9000).astype("<i2").tobytes())
    return buffer.getvalue()


def mp4_of() -> bytes:
    from engine.providers.embedded.video import ffmpeg_exe

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "clip.mp4"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=128x96:rate=12", "-t", "1",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(target)], check=True)  # fmt: skip
        return target.read_bytes()


def test_first_start_generates_a_chain_c2pa_accepts_and_keeps_it(tmp_path: Path) -> None:
    identity = signing_identity(None, None, tmp_path)
    folder = tmp_path / "c2pa"
    key_file = folder / "studio-c2pa-key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    signer_cert, ca_cert = x509.load_pem_x509_certificates(identity.chain_pem)
    assert signer_cert.issuer == ca_cert.subject and ca_cert.issuer == ca_cert.subject
    assert signer_cert.public_key().curve.name == "secp256r1" and identity.alg == "es256"  # type: ignore[union-attr]
    assert signer_cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = signer_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert not signer_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert signing_identity(None, None, tmp_path).chain_pem == identity.chain_pem  # the second start reuses it


@pytest.mark.parametrize("mime,make", [("image/png", png_of), ("audio/wav", wav_of), ("video/mp4", mp4_of)])
def test_every_format_we_make_is_signed_and_reads_back(tmp_path: Path, mime: str, make: object) -> None:
    signer = MediaSigner(signing_identity(None, None, tmp_path))
    original = make()  # type: ignore[operator]
    signed = signer.sign_media(original, mime, RECORD)
    # c2pa-python's Reader with default settings: a valid manifest from a signer nobody else trusts.
    state, failures, manifest = c2pa_read(signed, mime)
    assert state == "Valid" and failures == ["signingCredential.untrusted"]
    studio = next(a["data"] for a in manifest["assertions"] if a["label"] == STUDIO_ASSERTION)
    assert studio["label"] == provenance.BANNER and studio["sources"] == {"photo": "abc"}
    assert "user_id" not in studio  # the person's id is a secret; the manifest is for anyone the file reaches
    actions = next(a["data"]["actions"] for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))
    assert actions[0]["action"] == "c2pa.created"
    # Our reader trusts our own anchor.
    report = signer.read(signed, mime)
    assert report is not None and report.state == "Trusted" and report.signer == "Studio C2PA signer"
    assert signer.read(original, mime) is None


def test_the_embedded_json_manifest_survives_signing(tmp_path: Path) -> None:
    signer = MediaSigner(signing_identity(None, None, tmp_path))
    png = signer.sign_media(png_of(), "image/png", RECORD)
    assert provenance.read_png_manifest(png) == RECORD
    wav = signer.sign_media(provenance.wav_with_manifest(wav_of(), RECORD), "audio/wav", RECORD)
    assert provenance.read_wav_manifest(wav) == RECORD
    with wave.open(io.BytesIO(wav)) as audio:
        assert audio.getnframes() == int(22_050 * 0.5)


def test_a_changed_pixel_breaks_the_signature(tmp_path: Path) -> None:
    signer = MediaSigner(signing_identity(None, None, tmp_path))
    signed = bytearray(signer.sign_media(png_of(), "image/png", RECORD))
    at = signed.index(b"IDAT") + 40
    signed[at] ^= 0xFF
    state, failures, _ = c2pa_read(bytes(signed), "image/png")
    assert state == "Invalid" and "assertion.dataHash.mismatch" in failures


def test_a_format_c2pa_does_not_cover_here_is_refused(tmp_path: Path) -> None:
    signer = MediaSigner(signing_identity(None, None, tmp_path))
    with pytest.raises(InvalidRequest, match="image/png, image/jpeg, video/mp4, audio/wav"):
        signer.sign_media(b"GIF89a", "image/gif", RECORD)


def test_a_configured_certificate_signs_instead_of_the_generated_one(tmp_path: Path) -> None:
    cert, key = own_certificate(tmp_path / "mine", "Alice Example signer")
    settings = load_settings(data_dir=tmp_path / "data", c2pa_cert=cert, c2pa_key=key, cpu_workers=1, _env_file=None)
    with build_engine(settings) as engine:
        assert engine.signer.source == "configured"
        signed = engine.signer.sign_media(png_of(), "image/png", RECORD)
        report = engine.signer.read(signed, "image/png")
    assert report is not None and report.signer == "Alice Example signer" and report.state == "Trusted"
    _, _, manifest = c2pa_read(signed, "image/png")
    assert manifest["signature_info"]["common_name"] == "Alice Example signer"
    assert not (tmp_path / "data" / "c2pa").exists()


def test_half_or_wrong_certificate_settings_stop_start_up(tmp_path: Path) -> None:
    cert, key = own_certificate(tmp_path / "mine", "Alice Example signer")
    other_cert, other_key = own_certificate(tmp_path / "other", "Bob Example signer")
    with pytest.raises(ConfigError, match="STUDIO_C2PA_KEY"):
        signing_identity(cert, None, tmp_path)
    with pytest.raises(ConfigError, match="STUDIO_C2PA_CERT"):
        signing_identity(None, key, tmp_path)
    with pytest.raises(ConfigError, match="not the key of the first certificate"):
        signing_identity(cert, other_key, tmp_path)
    with pytest.raises(ConfigError, match="STUDIO_C2PA_CERT"):
        signing_identity(tmp_path / "missing.pem", key, tmp_path)
    settings = load_settings(data_dir=tmp_path / "data", c2pa_cert=other_cert, _env_file=None)
    with pytest.raises(ConfigError, match="STUDIO_C2PA_KEY"):
        build_engine(settings)


def test_a_certificate_c2pa_refuses_is_a_config_error_at_start(tmp_path: Path) -> None:
    """A signer certificate without an extended key usage is not a C2PA signer: refused by a trial signature."""
    cert, key = own_certificate(tmp_path / "bare", "No signing use", signing_use=False)
    with pytest.raises(ConfigError, match="STUDIO_C2PA_CERT.*extended key usage"):
        MediaSigner(signing_identity(cert, key, tmp_path))

