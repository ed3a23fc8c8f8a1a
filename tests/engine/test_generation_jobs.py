"""The built-in generation jobs run real embedded models through the queue and store media."""

import wave
from io import BytesIO

from PIL import Image

from engine.engine import build_engine
from engine.jobs import IMAGE_JOB, SPEECH_JOB, image_payload
from engine.providers.base import ImageRequest
from engine.queue import JobSpec, JobStatus, Priority
from engine.settings import Settings


def test_speech_jobs_are_batched_and_stored_as_media(engine_settings: Settings) -> None:
    settings = engine_settings.model_copy(update={"queue_batch_window_ms": 200})
    with build_engine(settings) as engine:
        specs = [
            JobSpec(kind=SPEECH_JOB, payload={"text": f"Sentence number {i}."}, batch_key="espeak", user_id="u7")
            for i in range(4)
        ]
        jobs = engine.queue.submit_many(specs)
        engine.start()
        finished = [engine.queue.wait(job.id, timeout=60) for job in jobs]
        assert [job.status for job in finished] == [JobStatus.COMPLETED] * 4
        for job in finished:
            assert job.result is not None
            with wave.open(BytesIO(engine.media.read(job.result["media"]))) as wav:
                assert wav.getnframes() / wav.getframerate() > 0.5
        records = [r for r in engine.generations.recent(20) if r.capability == "speech"]
        assert 1 <= len(records) < 4  # compatible jobs ran as fewer model calls than jobs
        assert all(r.user_id == "u7" for r in records)


def test_image_job_without_a_model_is_a_labelled_placeholder(engine_settings: Settings) -> None:
    with build_engine(engine_settings) as engine:
        engine.start()
        job = engine.queue.submit(
            JobSpec(kind=IMAGE_JOB, payload={"prompt": "a lighthouse at dusk", "width": 256, "height": 256},
                    priority=Priority.INTERACTIVE)
        )
        done = engine.queue.wait(job.id, timeout=60)
        assert done.status is JobStatus.COMPLETED and done.result is not None
        assert done.result["is_placeholder"] is True
        image = Image.open(BytesIO(engine.media.read(done.result["media"])))
        assert image.size == (256, 256)
        [record] = [r for r in engine.generations.recent(5) if r.capability == "image"]
        assert record.outcome == "placeholder"


def test_each_image_of_a_batch_is_recorded_with_the_kind_its_payload_names(engine_settings: Settings) -> None:
    settings = engine_settings.model_copy(update={"queue_batch_window_ms": 200})
    with build_engine(settings) as engine:
        request = ImageRequest(prompt="a harbour at dawn", width=128, height=128)
        kinds = ["story_picture", None, "story_picture"]
        jobs = engine.queue.submit_many([
            JobSpec(kind=IMAGE_JOB, payload=image_payload(request, kind=kind), batch_key="pictures", user_id="u7")
            for kind in kinds
        ])
        engine.start()
        finished = [engine.queue.wait(job.id, timeout=60) for job in jobs]
        assert [job.status for job in finished] == [JobStatus.COMPLETED] * 3
        assert finished[0].result["batch_size"] > 1  # type: ignore[index]  # one model call made several
        recorded = {r.id: r.kind for r in engine.generations.recent(20) if r.capability == "image"}
        assert [recorded[job.result["generation_id"]] for job in finished] == kinds  # type: ignore[index]


def test_bad_payload_fails_the_job_with_a_reason(engine_settings: Settings) -> None:
    with build_engine(engine_settings.model_copy(update={"job_retries": 0})) as engine:
        engine.start()
        job = engine.queue.submit(JobSpec(kind=SPEECH_JOB, payload={"text": ""}))
        done = engine.queue.wait(job.id, timeout=30)
        assert done.status is JobStatus.FAILED
        assert done.error and "text" in done.error
