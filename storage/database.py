"""The DuckDB connection: one per process, a cursor per thread, numbered migrations."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from engine.errors import MigrationError, StorageError

__all__ = ["Database", "migration_files"]

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """A DuckDB file (or `:memory:`) with the schema migrated to the latest version.

    DuckDB allows one writing process per file; a second process gets a `StorageError`
    that names the file. Within the process each thread gets its own cursor.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            self._connection = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StorageError(
                    f"The database {self.path} is in use by another process; "
                    "stop the other studio or set STUDIO_DATA_DIR to another folder."
                ) from exc
            raise StorageError(f"Cannot open the database {self.path}: {exc}") from exc
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._closed = False
        self.migrate()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the shared connection."""
        if self._closed:
            raise StorageError("The database is closed.")
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._connection.cursor()
            self._local.cursor = cursor
        return cursor

    def write(self, sql: str, params: Sequence[object] | None = None) -> duckdb.DuckDBPyConnection:
        """Run one write statement. Writes are serialised: DuckDB rejects concurrent updates of a row."""
        with self._write_lock:
            return self.cursor().execute(sql, params)

    def write_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement for many rows in a single transaction."""
        if rows:
            with self.transaction() as cursor:
                cursor.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A serialised write transaction on this thread's cursor; rolled back on error."""
        with self._write_lock:
            cursor = self.cursor()
            cursor.execute("BEGIN TRANSACTION")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def migrate(self) -> list[int]:
        """Apply the migrations not yet recorded; each one in its own transaction."""
        cursor = self.cursor()
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        done = {row[0] for row in cursor.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for version, name, sql in migration_files():
            if version in done:
                continue
            try:
                with self.transaction() as tx:
                    tx.execute(sql)
                    tx.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            except duckdb.Error as exc:
                raise MigrationError(f"Migration {version:03d}_{name} failed: {exc}") from exc
            applied.append(version)
        return applied

    def applied_migrations(self) -> list[tuple[int, str]]:
        rows = self.cursor().execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        return [(int(v), str(n)) for v, n in rows]

    def close(self) -> None:
        """Close the connection once the write in flight (if any) has finished; later calls raise
        `StorageError`, which background writers (e.g. picture telemetry) treat as "closing"."""
        with self._write_lock:
            if not self._closed:
                self._closed = True
                self._connection.close()
