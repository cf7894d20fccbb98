// Daily counts of one experiment's variants (every source and endpoint summed).
MATCH (d:ServedDaily {experiment: $experiment})
RETURN d.variant AS variant, toString(d.day) AS day, sum(d.impressions) AS impressions,
  sum(d.clicks) AS clicks, sum(d.conversions) AS conversions, sum(d.engagement) AS engagement
ORDER BY variant, day
