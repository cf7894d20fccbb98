// Record each user's variant the first time a list of the experiment is served to them.
UNWIND $rows AS row
MATCH (u:User {userId: row.user})
MATCH (:Experiment {name: row.experiment})-[:HAS_VARIANT]->(v:Variant {name: row.variant})
MERGE (u)-[a:ASSIGNED_TO]->(v)
  ON CREATE SET a.at = datetime()
RETURN count(a) AS rows
