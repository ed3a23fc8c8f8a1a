import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.errors import StorageError
from storage.database import Database, migration_files


def test_migrations_from_empty_create_every_table(tmp_path: Path) -> None:
    db = Database(tmp_path / "fresh.duckdb")
    tables = {row[0] for row in db.cursor().execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"schema_migrations", "generations", "jobs", "media"} <= tables
    assert [v for v, _ in db.applied_migrations()] == [v for v, _, _ in migration_files()]
    db.close()


def test_migrations_are_recorded_and_not_reapplied(tmp_path: Path) -> None:
    path = tmp_path / "again.duckdb"
    Database(path).close()
    db = Database(path)
    assert db.migrate() == []
    db.close()


def test_concurrent_writes_to_one_row_are_serialised(db: Database) -> None:
    import threading

    db.write("INSERT INTO media VALUES ('x', 'image', 'png', 0, now())")
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                db.write("UPDATE media SET size_bytes = size_bytes + 1 WHERE sha256 = 'x'")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.cursor().execute("SELECT size_bytes FROM media").fetchone() == (80,)


def test_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(ZeroDivisionError), db.transaction() as cursor:
        cursor.execute("INSERT INTO media VALUES ('y', 'image', 'png', 1, now())")
        raise ZeroDivisionError
    assert db.cursor().execute("SELECT count(*) FROM media").fetchone() == (0,)


def test_file_held_by_another_process_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from storage.database import Database
                held = Database({str(path)!r})
                print("ready", flush=True)
                time.sleep(30)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StorageError) as caught:
            Database(path)
        assert str(path) in caught.value.user_message
        assert "STUDIO_DATA_DIR" in caught.value.user_message
    finally:
        holder.kill()
        holder.wait()


def test_close_waits_for_the_write_in_flight_and_later_writes_get_a_storage_error(tmp_path: Path) -> None:
    """A background writer (story picture telemetry) racing the engine's close: its write either
    lands whole before the close or is refused with `StorageError`, never a raw DuckDB error."""
    import threading

    db = Database(tmp_path / "closing.duckdb")
    in_transaction, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.transaction() as tx:
            tx.execute("CREATE TABLE t (x INTEGER)")
            in_transaction.set()
            release.wait(10)
            tx.execute("INSERT INTO t VALUES (1)")

    thread = threading.Thread(target=writer)
    thread.start()
    assert in_transaction.wait(10)
    closer = threading.Thread(target=db.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive(), "close did not wait for the open transaction"
    release.set()
    thread.join(10)
    closer.join(10)
    assert not closer.is_alive()
    with pytest.raises(StorageError, match="closed"):
        db.write("INSERT INTO t VALUES (2)")
    reopened = Database(tmp_path / "closing.duckdb")
    assert reopened.cursor().execute("SELECT x FROM t").fetchall() == [(1,)]
    reopened.close()
