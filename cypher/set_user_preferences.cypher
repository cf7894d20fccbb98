// Replace the user's preferred genres (cold-start onboarding).
CYPHER replan=skip
MATCH (u:User {userId: $user_id})
OPTIONAL MATCH (u)-[old:PREFERS]->(:Genre)
DELETE old
WITH DISTINCT u
UNWIND $genres AS name
MATCH (g:Genre {name: name})
MERGE (u)-[p:PREFERS]->(g)
SET p.at = datetime()
RETURN count(p) AS genres
