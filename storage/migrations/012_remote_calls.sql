-- Remote provider calls: the estimate beside the actual cost (cost_usd holds what the call
-- actually cost when the provider said so, else the estimate), the time the provider says
-- it ran, and its id of the call (a Replicate prediction id; several joined by commas).
ALTER TABLE generations ADD COLUMN estimated_cost_usd DOUBLE;
ALTER TABLE generations ADD COLUMN remote_seconds DOUBLE;
ALTER TABLE generations ADD COLUMN remote_id VARCHAR;
