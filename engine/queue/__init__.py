"""The persisted generation queue: priorities, dependencies, retries, timeouts, batching, devices.

```python
queue = GenerationQueue(db, detect_devices(settings.use_cuda, settings.cpu_workers),
                        QueueConfig.from_settings(settings))
queue.register("image", render_one, batch_handler=render_many)
queue.start()
job = queue.submit(JobSpec(kind="image", payload={"prompt": "a fox"}, priority=Priority.INTERACTIVE))
for event in queue.events(job.id):
    ...
```
"""

from engine.queue.context import JobContext
from engine.queue.devices import Device, detect_devices
from engine.queue.events import EventStream
from engine.queue.models import Job, JobEvent, JobSpec, JobStatus, Priority, QueueConfig
from engine.queue.queue import GenerationQueue

__all__ = [
    "Device",
    "EventStream",
    "GenerationQueue",
    "Job",
    "JobContext",
    "JobEvent",
    "JobSpec",
    "JobStatus",
    "Priority",
    "QueueConfig",
    "detect_devices",
]
