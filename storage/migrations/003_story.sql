-- Story adventures: the whole state as one JSON document, guarded by a version number.
CREATE TABLE stories (
    id VARCHAR PRIMARY KEY,
    user_id VARCHAR,
    world_id VARCHAR NOT NULL,
    topic_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,         -- active | finished
    version INTEGER NOT NULL,        -- +1 on every save; a save names the version it read
    state JSON NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Character visuals, written by a background job after each chapter (no version race with saves).
CREATE TABLE story_characters (
    adventure_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    appearance VARCHAR NOT NULL,
    chapter_index INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (adventure_id, name)
);

-- Story telemetry: chapter_viewed, time_to_choose, llm_ttft, llm_total, image, image_timeout,
-- choices_regenerated, choices_fallback, resumed.
CREATE TABLE story_events (
    id VARCHAR PRIMARY KEY,
    adventure_id VARCHAR NOT NULL,
    chapter_index INTEGER,
    event VARCHAR NOT NULL,
    value_ms DOUBLE,
    detail VARCHAR,
    created_at TIMESTAMP NOT NULL
);
