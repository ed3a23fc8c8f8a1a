-- Feedback on every output: scenario assets, narrations, intent classifications and runs get a
-- `generations` row of their own with capability 'output' (engine/analytics/outputs.py), so a
-- person can rate them. Those rows are outputs, not model calls: the requests-and-cost view
-- leaves them out (the ratings view keeps them: their ratings show by workflow).

-- The output row of each scenario asset and narration, what the feedback widget rates.
ALTER TABLE scenario_assets ADD COLUMN generation_id VARCHAR;
ALTER TABLE narration_cache ADD COLUMN generation_id VARCHAR;

-- No 'output' row existed before this migration, so the built rollups stay right as they are.
DROP VIEW v_requests_daily;
DROP MACRO TABLE m_requests_daily;
CREATE MACRO m_requests_daily(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day,
       coalesce(kind, capability) AS workflow,
       provider, model,
       count(*) AS requests,
       count(*) FILTER (WHERE outcome = 'error') AS errors,
       count(*) FILTER (WHERE fallback_from IS NOT NULL) AS fallbacks,
       sum(cost_usd) AS cost_usd,
       sum(latency_ms) AS latency_ms_sum
FROM generations WHERE created_at >= lo AND created_at < hi AND capability <> 'output' GROUP BY ALL;
CREATE VIEW v_requests_daily AS SELECT * FROM m_requests_daily(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_requests_hourly;
CREATE VIEW v_requests_hourly AS
SELECT date_trunc('hour', created_at) AS hour,
       coalesce(kind, capability) AS workflow,
       model,
       count(*) AS requests,
       sum(cost_usd) AS cost_usd
FROM generations WHERE capability <> 'output' GROUP BY ALL;
