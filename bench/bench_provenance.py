"""What C2PA signing adds per file, against encoding the same file, both measured in this run.

Image: a 512x512 scenario-style picture (the face photo with the simulation band), encoded as
the studio stores it (`png_with_manifest`: PNG, compress level 1, record in tEXt) against
`MediaSigner.sign_media` on those bytes (the generated ES256 identity; no thumbnail, no
timestamp authority). Also a 1024x1024 image, a 2 s 512x512 talking-video-sized MP4 against
its encoding, and a narration WAV against its eSpeak synthesis. Target: signing a 512x512 PNG costs
<= 25 % of encoding it. Run: `.venv/bin/python bench/bench_provenance.py [--repeat 30]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import median_ms

ROOT = Path(__file__).resolve().parents[1]
NARRATION = "Welcome to the course. Today we look at calls that sound like someone you love, asking for money."


def main() -> None:
    import cv2
    import numpy as np

    from engine.imaging import decode_image
    from engine.provenance import MediaSigner, signing_identity
    from engine.providers.embedded.video import ffmpeg_exe
    from engine.scenarios import provenance

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    record = provenance.manifest(asset="lottery_image", kind="image", user_id="bench", sources={"photo": "0" * 64},
                                 steps=["face landmarks (478)", "simulation banner"], models={"vision": "embedded"})  # fmt: skip
    face = decode_image((ROOT / "assets/samples/face.jpg").read_bytes())
    with tempfile.TemporaryDirectory(prefix="bench-provenance-") as tmp:
        started = time.perf_counter()
        signer = MediaSigner(signing_identity(None, None, Path(tmp)))
        signer.sign_media(provenance.png_with_manifest(face[:64, :64].copy(), record), "image/png", record)
        first_ms = (time.perf_counter() - started) * 1000
        print(f"first start (generate the chain, load c2pa, first signature): {first_ms:.0f} ms")
        for side in (512, 1024):
            image = provenance.burn_banner(cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA))
            png = provenance.png_with_manifest(image, record)
            encode = median_ms(lambda: provenance.png_with_manifest(image, record), args.repeat)
            sign = median_ms(lambda: signer.sign_media(png, "image/png", record), args.repeat)
            print(f"{side}x{side} PNG: encode {encode:.2f} ms, sign {sign:.2f} ms -> sign/encode = {sign / encode:.2f}"
                  f" ({len(png) / 1e3:.0f} kB, +{len(signer.sign_media(png, 'image/png', record)) - len(png)} bytes)")

        frames = [np.ascontiguousarray(provenance.burn_banner(cv2.resize(face, (512, 512)))) for _ in range(48)]
        from engine.providers.base import VideoRequest
        from engine.providers.embedded.video import EmbeddedVideoModel
        from engine.settings import load_settings

        video = EmbeddedVideoModel(load_settings(data_dir=Path(tmp), _env_file=None))
        encode_started = time.perf_counter()
        mp4 = provenance.mp4_with_manifest(video.render([VideoRequest(frames=frames, fps=24.0)])[0].mp4, record, ffmpeg_exe())
        mp4_encode = (time.perf_counter() - encode_started) * 1000
        mp4_sign = median_ms(lambda: signer.sign_media(mp4, "video/mp4", record), args.repeat)
        print(f"2 s 512x512 MP4: encode + tag {mp4_encode:.0f} ms (once), sign {mp4_sign:.2f} ms -> {mp4_sign / mp4_encode:.3f}")

        from engine.providers.base import SpeechRequest
        from engine.providers.embedded.speech import EmbeddedSpeechModel

        speech = EmbeddedSpeechModel(load_settings(data_dir=Path(tmp), _env_file=None))
        request = SpeechRequest(text="This is a simulated voice. " + NARRATION, variant="f2", pitch=60)
        spoken = speech.synthesize([request])[0]
        synth = median_ms(lambda: speech.synthesize([request]), args.repeat)
        wav = provenance.wav_with_manifest(spoken.wav, record)
        wav_sign = median_ms(lambda: signer.sign_media(wav, "audio/wav", record), args.repeat)
        print(f"{spoken.duration_s:.1f} s narration WAV: eSpeak synthesis {synth:.2f} ms, sign {wav_sign:.2f} ms"
              f" -> sign/synthesis = {wav_sign / synth:.2f}")

if __name__ == "__main__":
    main()
