// The promoted model of a name, if any.
MATCH (m:Model {name: $name, status: 'promoted'})
RETURN m {.*} AS model
