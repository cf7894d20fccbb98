// Users found in more than one variant of an experiment (an assignment that did not stick).
MATCH (:Experiment {name: $name})-[:HAS_VARIANT]->(:Variant)<-[:ASSIGNED_TO]-(u:User)
WITH u, count(*) AS variants
WHERE variants > 1
RETURN count(u) AS switched
