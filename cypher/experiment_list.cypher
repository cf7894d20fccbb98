// Every experiment with its variants, newest first; $status filters (null: all).
MATCH (e:Experiment)
WHERE $status IS NULL OR e.status = $status
OPTIONAL MATCH (e)-[:HAS_VARIANT]->(v:Variant)
WITH e, v ORDER BY v.position
WITH e, collect(v {.*}) AS variants
RETURN e {.*} AS experiment, variants
ORDER BY e.createdAt DESC
