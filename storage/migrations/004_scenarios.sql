-- Onboarded people of the scam-awareness course: their form, source media and voice profile.
CREATE TABLE scenario_users (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    age INTEGER NOT NULL,
    gender VARCHAR NOT NULL,
    photo_media VARCHAR NOT NULL,
    voice_media VARCHAR NOT NULL,
    caricature_media VARCHAR,
    landmarks JSON NOT NULL,          -- the 478-point face mesh of the photo, pixel coordinates
    voice_profile JSON NOT NULL,
    consent_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The synthetic assets of a person (caricature, 4 images, 4 videos, 2 dubs), each with its provenance.
CREATE TABLE scenario_assets (
    user_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- caricature | image | video | dub
    job_id VARCHAR,
    media VARCHAR,
    seconds DOUBLE,
    realtime BOOLEAN NOT NULL DEFAULT false,
    extra JSON,                       -- kind-specific data, e.g. the placed face's landmarks
    provenance JSON,                  -- the manifest also embedded in the file
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, name)
);

-- Just-in-time narration: one entry per (user, step, script hash, voice profile, speech engine).
CREATE TABLE narration_cache (
    cache_key VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL,
    step_id VARCHAR NOT NULL,
    script_hash VARCHAR NOT NULL,
    voice_hash VARCHAR NOT NULL,
    engine VARCHAR NOT NULL,
    media VARCHAR NOT NULL,
    duration_s DOUBLE NOT NULL,
    generation_ms DOUBLE NOT NULL,
    preloaded BOOLEAN NOT NULL DEFAULT false,
    access_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_access TIMESTAMP
);

-- Hits, misses and preloads per user (the cache's own counters; entries come and go).
CREATE TABLE narration_stats (
    user_id VARCHAR PRIMARY KEY,
    hits BIGINT NOT NULL DEFAULT 0,
    misses BIGINT NOT NULL DEFAULT 0,
    preloads BIGINT NOT NULL DEFAULT 0
);
