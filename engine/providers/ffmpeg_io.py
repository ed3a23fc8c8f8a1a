"""imageio-ffmpeg, loaded without its fork-unsafe `preexec_fn`.

imageio-ffmpeg starts ffmpeg for its frame readers and writers with `preexec_fn=os.setpgrp`
(so a terminal's Ctrl-C does not reach ffmpeg). A `preexec_fn` makes Python fork the whole
process and run Python code in the child before exec, which the subprocess docs call unsafe
with threads: here the child ran a garbage-collected DuckDB cursor's rollback, blocked on a
lock a queue worker held at the fork, and the worker that started ffmpeg waited for it forever.
imageio-ffmpeg's own switch for that hang (IMAGEIO_FFMPEG_NO_PREVENT_SIGINT, its issue #58)
turns the `preexec_fn` off; a value set in the environment is respected. The studio closes the
readers and writers it opens, so it does not need the process group.
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["imageio_ffmpeg"]

NO_PREEXEC = "IMAGEIO_FFMPEG_NO_PREVENT_SIGINT"


def imageio_ffmpeg() -> ModuleType:
    """The `imageio_ffmpeg` module, with ffmpeg started by a plain fork-exec (no Python in the child)."""
    os.environ.setdefault(NO_PREEXEC, "1")
    import imageio_ffmpeg as module

    return module
