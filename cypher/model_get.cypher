// One registered model by name and version.
MATCH (m:Model {name: $name, version: $version})
RETURN m {.*} AS model
