// The promoted version of a model name (at most one), e.g. graphsage; no row when none is.
CYPHER replan=skip
MATCH (m:Model {status: 'promoted', name: $name})
RETURN m {.*} AS model
ORDER BY m.promotedAt DESC
LIMIT 1
