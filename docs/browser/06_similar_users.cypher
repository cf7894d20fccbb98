// graphrec: a user's nearest users under the promoted model, with what they share
WITH '1' AS userId
MATCH (m:Model {name: 'graphsage', status: 'promoted'})
MATCH (u:User {userId: userId})-[s:SIMILAR_USER]->(v:User)
WHERE s.model = m.name AND s.modelVersion = m.version
OPTIONAL MATCH (u)-[:WATCHED|RATED]->(t:Title)<-[:WATCHED|RATED]-(v)
RETURN v.userId AS user, round(s.score, 3) AS score, count(t) AS sharedTitles
ORDER BY score DESC LIMIT 20
