-- The queue's journal: each row is one group commit of job rows (new jobs and state changes, a JSON
-- list of whole records), written as one narrow row because DuckDB spends its time per statement
-- and per column, not per row. The rows are folded into `jobs` in batches (storage/jobs.py).
CREATE TABLE job_log (
    seq BIGINT NOT NULL,             -- write order; within a row, records are in order too
    docs VARCHAR NOT NULL            -- [{"new": bool, "record": {...JobRecord...}}, ...]
);
