// Keep each variant's collected metrics (a JSON snapshot) on its Variant node.
UNWIND $variants AS row
MATCH (:Experiment {name: $name})-[:HAS_VARIANT]->(v:Variant {name: row.name})
SET v.metrics = row.metrics
RETURN count(v) AS saved
