// Add counts to the daily aggregates of served lists: one ServedDaily node per day, experiment,
// variant, endpoint, candidate source and model version ('' where none applies).
UNWIND $rows AS row
MERGE (d:ServedDaily {key: row.key})
  ON CREATE SET d.day = date(row.day), d.experiment = row.experiment, d.variant = row.variant,
    d.endpoint = row.endpoint, d.source = row.source, d.modelVersion = row.model_version,
    d.impressions = 0, d.clicks = 0, d.conversions = 0, d.engagement = 0.0
SET d.impressions = d.impressions + row.impressions,
    d.clicks = d.clicks + row.clicks,
    d.conversions = d.conversions + row.conversions,
    d.engagement = d.engagement + row.engagement
RETURN count(d) AS rows
