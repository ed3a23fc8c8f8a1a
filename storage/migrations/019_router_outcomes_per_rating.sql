-- A decision whose output was rated twice was counted as two decisions: the feedback join
-- multiplied its row. Ratings are now summed per generation before the join. The rollups were
-- built with the old counts, so they are dropped and rebuilt by the next maintenance pass.
DROP VIEW v_router_outcomes;
DROP MACRO TABLE m_router_outcomes;
CREATE MACRO m_router_outcomes(lo, hi) AS TABLE
SELECT CAST(date_trunc('day', d.created_at) AS DATE) AS day, d.kind, d.tier, d.chosen,
       coalesce(g.model, '-') AS model,
       count(*) AS decisions,
       count(*) FILTER (WHERE g.outcome = 'ok') AS ok,
       count(*) FILTER (WHERE g.outcome = 'error' OR g.id IS NULL) AS failed,
       sum(d.complexity) AS complexity_sum,
       sum(coalesce(g.cost_usd, 0)) AS cost_usd,
       CAST(coalesce(sum(f.ratings), 0) AS BIGINT) AS ratings, sum(f.rating_sum) AS rating_sum
FROM router_decisions d
LEFT JOIN generations g ON g.id = d.generation_id
LEFT JOIN (SELECT generation_id, count(*) AS ratings, sum(rating) AS rating_sum FROM feedback GROUP BY ALL) f
       ON f.generation_id = d.generation_id
WHERE d.created_at >= lo AND d.created_at < hi
GROUP BY ALL;
CREATE VIEW v_router_outcomes AS SELECT * FROM m_router_outcomes(TIMESTAMP '-infinity', TIMESTAMP 'infinity');

UPDATE rollup_epoch SET n = n + 1;
DELETE FROM rollup_state;
DELETE FROM r_router_outcomes;
