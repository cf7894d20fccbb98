// Users assigned to each variant of an experiment, in declared order.
MATCH (:Experiment {name: $name})-[:HAS_VARIANT]->(v:Variant)
RETURN v.name AS variant, COUNT { (:User)-[:ASSIGNED_TO]->(v) } AS users
ORDER BY v.position
