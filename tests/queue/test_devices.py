"""Device detection; a real CUDA run when one is there (opt-in `gpu` marker)."""

from __future__ import annotations

import pytest

from engine.errors import InvalidRequest
from engine.queue import Device, GenerationQueue, JobContext, JobSpec, JobStatus, QueueConfig, detect_devices
from storage.database import Database


def test_cpu_pool_is_always_there() -> None:
    assert detect_devices(use_cuda=False, cpu_workers=3) == [Device("cpu", "cpu", 3)]
    assert detect_devices(use_cuda=True, cpu_workers=1)[-1] == Device("cpu", "cpu", 1)


def test_device_checks_its_fields() -> None:
    with pytest.raises(InvalidRequest):
        Device("tpu:0", "tpu", 1)
    with pytest.raises(InvalidRequest):
        Device("cpu", "cpu", 0)


@pytest.mark.gpu
def test_a_cuda_job_runs_on_the_gpu(db: Database) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    devices = detect_devices(use_cuda=True, cpu_workers=1)
    assert [d.name for d in devices[:-1]] == [f"cuda:{i}" for i in range(torch.cuda.device_count())]

    def matmul(ctx: JobContext) -> dict[str, object]:
        x = torch.ones(256, 256, device=ctx.device.name)
        return {"device": ctx.device.name, "sum": float((x @ x).sum().item())}

    queue = GenerationQueue(db, devices, QueueConfig(batch_window_ms=0))
    queue.register("matmul", matmul)
    queue.start()
    try:
        job = queue.wait(queue.submit(JobSpec(kind="matmul", device="cuda")).id, 60)
    finally:
        queue.stop()
    assert job.status is JobStatus.COMPLETED
    assert job.result == {"device": "cuda:0", "sum": 256.0 ** 3}
