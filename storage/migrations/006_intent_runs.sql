-- What the intent lab chose for a request and, when it ran, what it actually cost and took.
CREATE TABLE intent_selections (
    id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    user_id VARCHAR,
    prompt VARCHAR NOT NULL,
    has_image BOOLEAN NOT NULL,
    workflow VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    method VARCHAR NOT NULL,
    quality VARCHAR NOT NULL,
    selected_model VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,
    fallbacks VARCHAR[] NOT NULL,
    estimated_cost_usd DOUBLE NOT NULL,
    estimated_seconds DOUBLE NOT NULL,
    enhanced_prompt VARCHAR NOT NULL,
    -- planned | done | placeholder | needs_provider | unsupported | failed
    status VARCHAR NOT NULL,
    actual_model VARCHAR,
    actual_cost_usd DOUBLE,
    actual_seconds DOUBLE,
    output_sha256 VARCHAR,
    output_kind VARCHAR,
    operations VARCHAR,
    message VARCHAR NOT NULL
);

-- A user's saved reference images, named for @mentions ("put @sarah in this red dress").
CREATE TABLE intent_references (
    user_id VARCHAR NOT NULL,
    tag VARCHAR NOT NULL,
    media_sha256 VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, tag)
);
