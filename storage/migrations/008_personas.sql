-- Persona templates: profiles with their base-image state, every state transition, and batch images.
CREATE TABLE personas (
    id VARCHAR PRIMARY KEY,
    owner VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    profile JSON NOT NULL,              -- the PersonaProfile as JSON
    base_image_status VARCHAR NOT NULL, -- pending_upload | draft | approved | rejected
    base_image_media VARCHAR,           -- media sha256 of the current base image
    appearance_locked BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX personas_owner ON personas (owner);

-- Every move of the base-image state machine, with who, when and why.
CREATE TABLE persona_transitions (
    persona_id VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    from_status VARCHAR,
    to_status VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    media VARCHAR,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (persona_id, seq)
);

-- Images of persona batches: device, provider, outcome and the comparison with the base image.
CREATE TABLE persona_images (
    batch_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    persona_id VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    prompt VARCHAR NOT NULL,
    job_id VARCHAR,
    device VARCHAR,
    status VARCHAR NOT NULL,            -- completed | failed
    provider VARCHAR,
    media VARCHAR,
    is_placeholder BOOLEAN NOT NULL DEFAULT false,
    note VARCHAR NOT NULL DEFAULT '',
    face_distance DOUBLE,
    flagged BOOLEAN NOT NULL DEFAULT false,
    comparison VARCHAR NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id, idx)
);
CREATE INDEX persona_images_persona ON persona_images (persona_id);
