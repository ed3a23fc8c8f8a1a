-- Ownership: every record a person creates carries its owner (the logged-in account, else the
-- visitor's secret key; 'operator' for the local CLI and for rows made before this migration).
-- Queue jobs keep theirs in `jobs.user_id`. No explicit indexes: DuckDB's zone maps serve these
-- small tables, and an index would forbid later ALTER TABLE migrations on them.
ALTER TABLE scenario_users ADD COLUMN owner VARCHAR;
-- Queue job ids of a person's assets are `scn-<job_key>-<asset>`: opaque, never the person's id.
ALTER TABLE scenario_users ADD COLUMN job_key VARCHAR;
ALTER TABLE scenario_assets ADD COLUMN owner VARCHAR;
ALTER TABLE narration_cache ADD COLUMN owner VARCHAR;
ALTER TABLE narration_stats ADD COLUMN owner VARCHAR;
ALTER TABLE stories ADD COLUMN owner VARCHAR;
ALTER TABLE intent_classifications ADD COLUMN owner VARCHAR;
ALTER TABLE intent_corrections ADD COLUMN owner VARCHAR;
ALTER TABLE intent_selections ADD COLUMN owner VARCHAR;
ALTER TABLE intent_references ADD COLUMN owner VARCHAR;
ALTER TABLE generations ADD COLUMN owner VARCHAR;

UPDATE scenario_users SET owner = 'operator', job_key = id;
UPDATE scenario_assets SET owner = 'operator';
UPDATE narration_cache SET owner = 'operator';
UPDATE narration_stats SET owner = 'operator';
UPDATE stories SET owner = 'operator';
UPDATE intent_classifications SET owner = 'operator';
UPDATE intent_corrections SET owner = 'operator';
UPDATE intent_selections SET owner = 'operator';
UPDATE intent_references SET owner = 'operator';
UPDATE generations SET owner = 'operator' WHERE user_id IS NOT NULL;

-- Who stored each media file (the same bytes may belong to several owners). A file with no
-- owner left is removed; the startup sweep removes what a crash left without one.
CREATE TABLE media_owners (
    sha256 VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sha256, owner)
);
INSERT INTO media_owners (sha256, owner, created_at) SELECT sha256, 'operator', created_at FROM media;

-- Deleted owners, as SHA-256 of the owner id (the id itself is gone): nothing is stored for them again.
CREATE TABLE deleted_owners (
    owner_hash VARCHAR PRIMARY KEY,
    deleted_at TIMESTAMP NOT NULL
);
