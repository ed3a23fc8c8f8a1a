-- Each persona batch image keeps the id of its generations record (the call that drew it), so a
-- rating given later (a reopened persona, the CLI) reaches that record. NULL for a failed image
-- and for images stored before this migration.
ALTER TABLE persona_images ADD COLUMN generation_id VARCHAR;
