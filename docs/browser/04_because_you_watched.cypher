// graphrec: "Because you watched": a user's best-rated titles and their promoted SIMILAR_TO neighbours
WITH '1' AS userId
MATCH (m:Model {name: 'graphsage', status: 'promoted'})
MATCH (u:User {userId: userId})-[r:RATED]->(anchor:Title)
WITH m, u, anchor ORDER BY r.rating DESC, r.at DESC LIMIT 3
MATCH p = (u)-[:RATED]->(anchor)-[s:SIMILAR_TO]->(rec:Title)
WHERE s.model = m.name AND s.modelVersion = m.version AND NOT (u)-[:WATCHED|RATED|DISLIKED|NOT_INTERESTED]->(rec)
RETURN p LIMIT 60
