"""Onboarding end to end on the real embedded models: caricature, voice profile, ten assets, provenance, deletion."""

from __future__ import annotations

import json
import subprocess

import pytest

from engine.errors import NotFound
from engine.ownership import OPERATOR
from engine.providers.embedded.video import ffmpeg_exe
from engine.queue import JobStatus
from engine.scenarios import OnboardRequest
from engine.scenarios.provenance import read_png_manifest, read_wav_manifest


def _request(face_jpeg: bytes, voice_wav: bytes) -> OnboardRequest:
    return OnboardRequest(name="Alex Doe", age=34, gender="female", photo=face_jpeg, voice=voice_wav, consent=True)


@pytest.mark.slow
def test_onboard_pregenerates_ten_labelled_assets_and_delete_removes_everything(scenario_engine, face_jpeg, voice_wav) -> None:
    engine, service = scenario_engine
    result = service.onboard(_request(face_jpeg, voice_wav), owner=OPERATOR)
    assert result.caricature_path.is_file()
    assert read_png_manifest(result.caricature_path.read_bytes())["sources"]["photo"]
    profile = result.voice_profile
    assert 150 < profile.f0_hz < 400 and profile.variant and profile.variant.startswith("f")
    assert len(result.assets) == 10

    statuses = service.wait(result.user_id, timeout=120, owner=OPERATOR)
    assert [s.status for s in statuses] == ["completed"] * 10, [(s.name, s.error) for s in statuses]
    by_name = {s.name: s for s in statuses}
    image = by_name["lottery_image"]
    assert read_png_manifest(image.path.read_bytes())["label"].startswith("SIMULATION")
    dub = by_name["investment_call"].path.read_bytes()
    assert read_wav_manifest(dub)["sources"]["voice"]
    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(by_name["accident_video"].path)],
                           capture_output=True, text=True)  # fmt: skip
    assert "SIMULATION" in probe.stderr and "Audio: aac" in probe.stderr and "Video: h264" in probe.stderr
    assert service.provenance(result.user_id, "accident_video", owner=OPERATOR)["sources"]["scenario_image"] == by_name["accident_image"].media
    video_job = engine.queue.get(by_name["lottery_video"].job_id)
    assert video_job.parents == [by_name["lottery_image"].job_id]
    assert result.user_id not in video_job.id and len(result.user_id) >= 22  # opaque job ids, a 128-bit person id

    view = service.open_scenario(result.user_id, "lottery", owner=OPERATOR)
    assert not view.realtime and view.video_path == by_name["lottery_video"].path

    files = [s.path for s in statuses] + [result.caricature_path]
    report = service.delete_user(result.user_id, owner=OPERATOR)
    assert report.files_deleted >= 12
    assert not any(path.exists() for path in files)
    jobs_left = engine.db.cursor().execute(
        "SELECT count(*) FROM jobs WHERE json_extract_string(payload, '$.user_id') = ?", [result.user_id]).fetchone()[0]
    assert jobs_left == 0
    for table, column in (("scenario_users", "id"), ("scenario_assets", "user_id"),
                          ("generations", "user_id")):  # fmt: skip
        count = engine.db.cursor().execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [result.user_id]).fetchone()[0]
        assert count == 0, table
    with pytest.raises(NotFound):
        service.status(result.user_id, owner=OPERATOR)


@pytest.mark.slow
def test_failed_image_blocks_its_video_and_opening_it_generates_in_real_time(scenario_engine, face_jpeg, voice_wav,
                                                                            monkeypatch) -> None:
    engine, service = scenario_engine
    from engine.scenarios import makers

    real = makers.compose_scene

    def broken(scene, *args, **kwargs):
        if scene == "wanted":
            raise RuntimeError("scene renderer exploded")
        return real(scene, *args, **kwargs)

    monkeypatch.setattr(makers, "compose_scene", broken)
    result = service.onboard(_request(face_jpeg, voice_wav), owner=OPERATOR)
    statuses = {s.name: s for s in service.wait(result.user_id, timeout=120, owner=OPERATOR)}
    image, video = statuses["suspect_image"], statuses["suspect_video"]
    assert image.status == "failed" and image.attempts == 3  # 1 + the default 2 retries
    assert video.status == "blocked" and "suspect_image" in video.error and "failed" in video.error
    assert sum(s.status == "completed" for s in statuses.values()) == 8

    monkeypatch.setattr(makers, "compose_scene", real)
    view = service.open_scenario(result.user_id, "suspect", owner=OPERATOR)
    assert view.realtime and view.image_path.is_file() and view.video_path.is_file()
    now = {s.name: s for s in service.status(result.user_id, owner=OPERATOR)}
    assert now["suspect_video"].status == "completed" and now["suspect_video"].realtime
    assert engine.queue.get(now["suspect_video"].job_id).status is JobStatus.BLOCKED


@pytest.mark.slow
def test_watch_streams_progress_until_all_done(scenario_engine, face_jpeg, voice_wav) -> None:
    _, service = scenario_engine
    result = service.onboard(_request(face_jpeg, voice_wav), owner=OPERATOR)
    snapshots = list(service.watch(result.user_id, timeout=120, owner=OPERATOR))
    assert len(snapshots) > 2
    assert all(s.status == "completed" for s in snapshots[-1])
    assert json.dumps([s.model_dump(mode="json") for s in snapshots[-1]])
