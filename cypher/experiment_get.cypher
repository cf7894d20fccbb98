// One experiment with its variants in declared order (no row when unknown).
MATCH (e:Experiment {name: $name})
OPTIONAL MATCH (e)-[:HAS_VARIANT]->(v:Variant)
WITH e, v ORDER BY v.position
RETURN e {.*} AS experiment, collect(v {.*}) AS variants
