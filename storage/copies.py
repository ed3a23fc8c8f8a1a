"""Copies of a person's media outside the media store: the files a web UI cached to serve them,
and the uploads it received. Found by name (`<sha256>.<ext>`, as the store names them) or by content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["remove_copies"]


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def remove_copies(roots: Iterable[Path], media: Mapping[str, int], extra: Iterable[Path] = ()) -> list[Path]:
    """Remove, under `roots`, every file whose name or content is one of `media` (sha256 -> size),
    and the `extra` paths that lie under `roots` (never anything outside them). Emptied folders go too."""
    roots = [Path(r) for r in roots if Path(r).is_dir()]
    sizes = set(media.values())
    removed: list[Path] = []
    for root in roots:
        for file in root.rglob("*"):
            if not file.is_file() or file.is_symlink():
                continue
            try:
                size = file.stat().st_size
            except OSError:
                continue
            if file.stem in media or (size in sizes and _sha256(file) in media):
                file.unlink(missing_ok=True)
                removed.append(file)
    for path in extra:
        path = Path(path)
        if path.is_file() and _inside(path, roots):
            path.unlink(missing_ok=True)
            removed.append(path)
    for file in removed:
        parent = file.parent
        if parent.is_dir() and _inside(parent, roots) and parent not in roots and not any(parent.iterdir()):
            parent.rmdir()
    return removed
