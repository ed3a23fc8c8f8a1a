-- Every provider call: what ran, for whom, how long, what it cost, how it ended.
CREATE TABLE generations (
    id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    user_id VARCHAR,
    session_id VARCHAR,
    job_id VARCHAR,
    capability VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    request_summary VARCHAR NOT NULL,
    latency_ms DOUBLE NOT NULL,
    cost_usd DOUBLE NOT NULL DEFAULT 0,
    outcome VARCHAR NOT NULL,        -- ok | placeholder | error
    error VARCHAR,
    fallback_from VARCHAR            -- the provider that failed before this one, if any
);

-- The generation queue; every state change is written here.
CREATE TABLE jobs (
    id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    payload JSON NOT NULL,
    priority INTEGER NOT NULL,
    status VARCHAR NOT NULL,         -- pending | running | completed | failed | cancelled | blocked
    parents VARCHAR[] NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL,
    timeout_s DOUBLE NOT NULL,
    batch_key VARCHAR,
    device VARCHAR,
    user_id VARCHAR,
    progress DOUBLE NOT NULL DEFAULT 0,
    message VARCHAR,
    result JSON,
    error VARCHAR,
    not_before TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

-- Media files by content hash; the bytes live under <data_dir>/media.
CREATE TABLE media (
    sha256 VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,           -- image | audio | video | other
    extension VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
