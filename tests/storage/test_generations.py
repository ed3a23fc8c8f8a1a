import threading

from storage.database import Database
from storage.generations import GenerationLog, GenerationRecord


def _record(i: int, outcome: str = "ok") -> GenerationRecord:
    return GenerationRecord(
        capability="text", provider="embedded", model="m", request_summary=f"r{i}", latency_ms=float(i), outcome=outcome
    )


def test_records_are_batched_and_visible_to_readers(db: Database) -> None:
    log = GenerationLog(db, batch_size=10, flush_interval_s=60)
    for i in range(7):
        log.record(_record(i))
    assert db.cursor().execute("SELECT count(*) FROM generations").fetchone() == (0,)  # still buffered
    assert log.count() == 7  # a read flushes first
    assert [r.request_summary for r in log.recent(3)] == ["r6", "r5", "r4"]
    log.close()


def test_a_full_batch_is_written_at_once(db: Database) -> None:
    log = GenerationLog(db, batch_size=5, flush_interval_s=60)
    for i in range(5):
        log.record(_record(i))
    assert db.cursor().execute("SELECT count(*) FROM generations").fetchone() == (5,)
    log.close()


def test_records_from_many_threads_all_land(db: Database) -> None:
    log = GenerationLog(db, batch_size=16, flush_interval_s=0.05)
    threads = [threading.Thread(target=lambda k=k: [log.record(_record(k * 100 + i)) for i in range(50)]) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    assert db.cursor().execute("SELECT count(DISTINCT id) FROM generations").fetchone() == (200,)


def test_summary_groups_by_provider_and_outcome(db: Database) -> None:
    log = GenerationLog(db)
    log.record(_record(1))
    log.record(_record(3))
    log.record(_record(5, outcome="error"))
    rows = log.summary_by_provider()
    assert ("text", "embedded", "ok", 2, 2.0, 0.0) in rows
    assert ("text", "embedded", "error", 1, 5.0, 0.0) in rows
    log.close()
