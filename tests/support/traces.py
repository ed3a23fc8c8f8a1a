"""Find any trace of a person: rows in any table that mention a string, files that contain it."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database


def rows_mentioning(db: Database, needle: str) -> dict[str, int]:
    """table -> rows with `needle` in any column (every column read as text, JSON included)."""
    cursor = db.cursor()
    tables = [r[0] for r in cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
    ).fetchall()]  # fmt: skip
    found = {}
    for table in tables:
        columns = [r[0] for r in cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()]  # fmt: skip
        text = " || '|' || ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in columns)
        count = cursor.execute(f"SELECT count(*) FROM \"{table}\" WHERE contains({text}, ?)", [needle]).fetchone()[0]
        if count:
            found[table] = int(count)
    return found


def files_mentioning(root: Path, needles: list[str], skip_suffixes: tuple[str, ...] = ()) -> list[Path]:
    """Files under `root` whose name or bytes contain one of `needles`."""
    hits = []
    encoded = [n.encode() for n in needles]
    for path in root.rglob("*"):
        if not path.is_file() or path.name.endswith(skip_suffixes):
            continue
        if any(n in path.name for n in needles) or any(n in path.read_bytes() for n in encoded):
            hits.append(path)
    return hits
