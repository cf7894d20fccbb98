// Counts per candidate source and model version over the last $days days (the totals, every experiment included once).
MATCH (d:ServedDaily {experiment: ''})
WHERE d.day >= date() - duration({days: $days})
RETURN d.source AS source, d.modelVersion AS model_version, sum(d.impressions) AS impressions,
  sum(d.clicks) AS clicks, sum(d.conversions) AS conversions, sum(d.engagement) AS engagement
ORDER BY impressions DESC
