// Registered models of one name, newest first.
MATCH (m:Model {name: $name})
RETURN m {.*} AS model
ORDER BY m.trainedAt DESC
