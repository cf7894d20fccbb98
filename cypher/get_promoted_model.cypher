// The promoted model of a name (at most one), e.g. graphsage; no row when none is promoted.
CYPHER replan=skip
MATCH (m:Model {status: 'promoted', name: $name})
RETURN m.version AS version, m.modelId AS model_id
ORDER BY m.promotedAt DESC
LIMIT 1
