// The version of a model in gradual rollout and its share of users (percent); no row when none.
CYPHER replan=skip
MATCH (m:Model {name: $name})
WHERE m.trafficPercent IS NOT NULL AND m.status <> 'promoted'
RETURN m.version AS version, m.trafficPercent AS percent
ORDER BY m.version
LIMIT 1
