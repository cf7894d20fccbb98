// graphrec: click-through rate per experiment variant and candidate source (graphrec experiments),
// from the daily aggregates of served lists
MATCH (d:ServedDaily)
WITH d.experiment AS experiment, d.variant AS variant, d.source AS source,
     sum(d.impressions) AS impressions, sum(d.clicks) AS clicks,
     sum(d.conversions) AS conversions
RETURN experiment, variant, source, impressions, clicks, conversions,
       CASE WHEN impressions > 0 THEN round(toFloat(clicks) / impressions, 4) END AS ctr
ORDER BY experiment, variant, impressions DESC
