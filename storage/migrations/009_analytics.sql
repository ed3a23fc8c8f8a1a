-- The learning loop: what a call was for, feedback on outputs, router decisions, text samples
-- for training export, and the dashboard views (SQL only; the Analytics tab reads these).

-- What a model call was for (story_chapter, persona_post, playground, classification, ...), set by
-- the service through CallContext.kind; NULL for calls nobody labelled (the dashboard shows the
-- capability instead). Time to first streamed piece, when the call streamed.
ALTER TABLE generations ADD COLUMN kind VARCHAR;
ALTER TABLE generations ADD COLUMN ttft_ms DOUBLE;

-- A rating of one output, by the person who owns the output (or an admin).
CREATE TABLE feedback (
    id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    owner VARCHAR NOT NULL,
    generation_id VARCHAR NOT NULL,
    rating INTEGER NOT NULL,          -- 1..5 (a thumbs up is 5, a thumbs down 1)
    comment VARCHAR
);
CREATE INDEX feedback_generation ON feedback (generation_id);

-- Every routing decision of a text request, with the features and reasons behind it.
CREATE TABLE router_decisions (
    id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    owner VARCHAR,
    kind VARCHAR NOT NULL,
    generation_id VARCHAR,            -- the generations row of the call that served it
    complexity DOUBLE NOT NULL,
    threshold DOUBLE NOT NULL,
    features JSON NOT NULL,
    chosen VARCHAR NOT NULL,          -- the provider chosen
    tier VARCHAR NOT NULL,            -- local | strong
    reasons JSON NOT NULL,
    overhead_ms DOUBLE NOT NULL
);

-- Threshold set by `studio route calibrate`; the newest row wins over STUDIO_ROUTER_THRESHOLD.
CREATE TABLE router_calibrations (
    created_at TIMESTAMP NOT NULL,
    threshold DOUBLE NOT NULL,
    share DOUBLE NOT NULL,
    sample_size INTEGER NOT NULL
);

-- The full request and answer of routed text calls: the source of training-set export.
CREATE TABLE text_samples (
    generation_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    owner VARCHAR,
    kind VARCHAR NOT NULL,
    messages JSON NOT NULL,           -- [{"role", "content"}, ...] of the request
    completion VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- views
-- Requests and cost over time by workflow and model (daily and hourly).
CREATE VIEW v_requests_daily AS
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day,
       coalesce(kind, capability) AS workflow,
       provider, model,
       count(*) AS requests,
       count(*) FILTER (WHERE outcome = 'error') AS errors,
       count(*) FILTER (WHERE fallback_from IS NOT NULL) AS fallbacks,
       sum(cost_usd) AS cost_usd,
       sum(latency_ms) AS latency_ms_sum
FROM generations GROUP BY ALL;

CREATE VIEW v_requests_hourly AS
SELECT date_trunc('hour', created_at) AS hour,
       coalesce(kind, capability) AS workflow,
       model,
       count(*) AS requests,
       sum(cost_usd) AS cost_usd
FROM generations GROUP BY ALL;

-- Intent confidence, fallback and cache-hit rates by method.
CREATE VIEW v_intent_methods AS
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, method,
       count(*) AS requests,
       sum(confidence) AS confidence_sum,
       count(*) FILTER (WHERE fallback_used IS NOT NULL) AS fallbacks,
       count(*) FILTER (WHERE cache_hit) AS cache_hits,
       sum(latency_ms) AS latency_ms_sum
FROM intent_classifications GROUP BY ALL;

-- Model selection: success and estimated vs actual cost and time (calibration error).
CREATE VIEW v_selection_calibration AS
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, workflow, selected_model,
       count(*) AS selections,
       count(*) FILTER (WHERE status = 'done') AS done,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(actual_seconds) AS measured,
       sum(abs(actual_cost_usd - estimated_cost_usd)) AS cost_abs_error_sum,
       sum(abs(actual_seconds - estimated_seconds)) AS seconds_abs_error_sum
FROM intent_selections GROUP BY ALL;

-- Queue throughput and wait times by job kind and device.
CREATE VIEW v_queue_throughput AS
SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, kind, coalesce(device, '-') AS device,
       count(*) AS jobs,
       count(*) FILTER (WHERE status = 'completed') AS completed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       sum(epoch(started_at - created_at)) AS wait_s_sum,
       count(started_at) AS started,
       sum(epoch(finished_at - started_at)) AS run_s_sum,
       count(finished_at) AS finished
FROM jobs GROUP BY ALL;

-- Narration cache hit rate (the cache's own counters, all time).
CREATE VIEW v_narration_cache AS
SELECT sum(hits) AS hits, sum(misses) AS misses, sum(preloads) AS preloads,
       sum(hits) / nullif(sum(hits) + sum(misses), 0) AS hit_rate
FROM narration_stats;

-- Ratings by workflow and model.
CREATE VIEW v_ratings AS
SELECT CAST(date_trunc('day', g.created_at) AS DATE) AS day,
       coalesce(g.kind, g.capability) AS workflow, g.model,
       count(*) AS ratings, sum(f.rating) AS rating_sum,
       count(*) FILTER (WHERE f.rating <= 2) AS low
FROM feedback f JOIN generations g ON g.id = f.generation_id GROUP BY ALL;

-- Router decisions and their outcomes.
CREATE VIEW v_router_outcomes AS
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
GROUP BY ALL;

-- Classifier A/B by method: accuracy on corrected prompts, latency.
CREATE VIEW v_classifier_ab AS
SELECT CAST(date_trunc('day', c.created_at) AS DATE) AS day, c.method,
       count(*) AS requests,
       sum(c.latency_ms) AS latency_ms_sum,
       count(k.workflow) AS corrected,
       count(*) FILTER (WHERE k.workflow IS NOT NULL AND k.workflow = c.workflow) AS right_on_corrected
FROM intent_classifications c
LEFT JOIN (SELECT prompt, has_image, arg_max(workflow, created_at) AS workflow
           FROM intent_corrections GROUP BY prompt, has_image) k
       ON k.prompt = c.prompt AND k.has_image = c.has_image
GROUP BY ALL;
