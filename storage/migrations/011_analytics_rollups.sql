-- Dashboard rollups: each analytics view becomes a table macro over a time window
-- (m_<name>(lo, hi)), the view is that macro over all time, and r_<name> keeps the macro's rows
-- for closed days. A dashboard reads r_<name> before `rollup_state.through` and the macro
-- from there on, so it aggregates two days of raw rows instead of all of them. The rollups are
-- rebuilt in the background (AnalyticsService.refresh_rollups) and dropped by a deletion, so
-- they never outlive the rows they summarise; they hold counts and sums, never an owner.

CREATE TABLE rollup_state (
    name VARCHAR PRIMARY KEY,
    through DATE NOT NULL,            -- r_<name> holds every day before this one
    refreshed_at TIMESTAMP NOT NULL,
    seconds DOUBLE NOT NULL           -- how long the rebuild took
);

DROP VIEW v_requests_daily;
CREATE MACRO m_requests_daily(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day,
       coalesce(kind, capability) AS workflow,
       provider, model,
       count(*) AS requests,
       count(*) FILTER (WHERE outcome = 'error') AS errors,
       count(*) FILTER (WHERE fallback_from IS NOT NULL) AS fallbacks,
       sum(cost_usd) AS cost_usd,
       sum(latency_ms) AS latency_ms_sum
FROM generations WHERE created_at >= lo AND created_at < hi GROUP BY ALL;
CREATE VIEW v_requests_daily AS SELECT * FROM m_requests_daily(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_intent_methods;
CREATE MACRO m_intent_methods(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, method,
       count(*) AS requests,
       sum(confidence) AS confidence_sum,
       count(*) FILTER (WHERE fallback_used IS NOT NULL) AS fallbacks,
       count(*) FILTER (WHERE cache_hit) AS cache_hits,
       sum(latency_ms) AS latency_ms_sum
FROM intent_classifications WHERE created_at >= lo AND created_at < hi GROUP BY ALL;
CREATE VIEW v_intent_methods AS SELECT * FROM m_intent_methods(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_selection_calibration;
CREATE MACRO m_selection_calibration(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, workflow, selected_model,
       count(*) AS selections,
       count(*) FILTER (WHERE status = 'done') AS done,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(actual_seconds) AS measured,
       sum(abs(actual_cost_usd - estimated_cost_usd)) AS cost_abs_error_sum,
       sum(abs(actual_seconds - estimated_seconds)) AS seconds_abs_error_sum
FROM intent_selections WHERE created_at >= lo AND created_at < hi GROUP BY ALL;
CREATE VIEW v_selection_calibration AS
SELECT * FROM m_selection_calibration(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_queue_throughput;
CREATE MACRO m_queue_throughput(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, kind, coalesce(device, '-') AS device,
       count(*) AS jobs,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       sum(epoch(started_at - created_at)) AS wait_s_sum,
       count(started_at) AS started,
       sum(epoch(finished_at - started_at)) AS run_s_sum,
       count(finished_at) AS finished
FROM jobs WHERE created_at >= lo AND created_at < hi GROUP BY ALL;
CREATE VIEW v_queue_throughput AS SELECT * FROM m_queue_throughput(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_ratings;
CREATE MACRO m_ratings(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', g.created_at) AS DATE) AS day,
       coalesce(g.kind, g.capability) AS workflow, g.model,
       count(*) AS ratings, sum(f.rating) AS rating_sum,
       count(*) FILTER (WHERE f.rating <= 2) AS low
FROM feedback f JOIN generations g ON g.id = f.generation_id
WHERE g.created_at >= lo AND g.created_at < hi GROUP BY ALL;
CREATE VIEW v_ratings AS SELECT * FROM m_ratings(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_router_outcomes;
CREATE MACRO m_router_outcomes(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', d.created_at) AS DATE) AS day, d.kind, d.tier, d.chosen,
       coalesce(g.model, '-') AS model,
       count(*) AS decisions,
       count(*) FILTER (WHERE g.outcome = 'ok') AS ok,
       count(*) FILTER (WHERE g.outcome = 'error' OR g.id IS NULL) AS failed,
       sum(d.complexity) AS complexity_sum,
       sum(coalesce(g.cost_usd, 0)) AS cost_usd,
       count(f.rating) AS ratings, sum(f.rating) AS rating_sum
FROM router_decisions d
LEFT JOIN generations g ON g.id = d.generation_id
LEFT JOIN feedback f ON f.generation_id = d.generation_id
WHERE d.created_at >= lo AND d.created_at < hi
GROUP BY ALL;
CREATE VIEW v_router_outcomes AS SELECT * FROM m_router_outcomes(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

DROP VIEW v_classifier_ab;
CREATE MACRO m_classifier_ab(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', c.created_at) AS DATE) AS day, c.method,
       count(*) AS requests,
       sum(c.latency_ms) AS latency_ms_sum,
       count(k.workflow) AS corrected,
       count(*) FILTER (WHERE k.workflow IS NOT NULL AND k.workflow = c.workflow) AS right_on_corrected
FROM intent_classifications c
LEFT JOIN (SELECT prompt, has_image, arg_max(workflow, created_at) AS workflow
           FROM intent_corrections GROUP BY prompt, has_image) k
       ON k.prompt = c.prompt AND k.has_image = c.has_image
WHERE c.created_at >= lo AND c.created_at < hi
GROUP BY ALL;
CREATE VIEW v_classifier_ab AS SELECT * FROM m_classifier_ab(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

CREATE TABLE r_requests_daily AS SELECT * FROM v_requests_daily WHERE false;
CREATE TABLE r_intent_methods AS SELECT * FROM v_intent_methods WHERE false;
CREATE TABLE r_selection_calibration AS SELECT * FROM v_selection_calibration WHERE false;
CREATE TABLE r_queue_throughput AS SELECT * FROM v_queue_throughput WHERE false;
CREATE TABLE r_ratings AS SELECT * FROM v_ratings WHERE false;
CREATE TABLE r_router_outcomes AS SELECT * FROM v_router_outcomes WHERE false;
CREATE TABLE r_classifier_ab AS SELECT * FROM v_classifier_ab WHERE false;
