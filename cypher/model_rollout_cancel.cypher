// End the gradual rollout of a model (everyone is served the promoted version); the versions
// that were in rollout, with their former share (no row when none was).
MATCH (m:Model {name: $name})
WHERE m.trafficPercent IS NOT NULL
WITH m, m.trafficPercent AS percent
REMOVE m.trafficPercent, m.rolloutAt
RETURN m.version AS version, percent
