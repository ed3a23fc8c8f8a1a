-- Every classification in the intent lab, with the resilience state around it.
CREATE TABLE intent_classifications (
    id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    user_id VARCHAR,
    prompt VARCHAR NOT NULL,
    has_image BOOLEAN NOT NULL,
    method VARCHAR NOT NULL,
    workflow VARCHAR,
    confidence DOUBLE,
    latency_ms DOUBLE NOT NULL,
    fallback_used VARCHAR,
    cache_hit BOOLEAN NOT NULL,
    breaker_state VARCHAR,
    rate_limited BOOLEAN NOT NULL,
    error VARCHAR
);

-- "This was wrong": the right label, used to retrain the embedding head.
CREATE TABLE intent_corrections (
    id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    user_id VARCHAR,
    prompt VARCHAR NOT NULL,
    has_image BOOLEAN NOT NULL,
    workflow VARCHAR NOT NULL
);
