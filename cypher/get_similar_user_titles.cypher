// Titles that the user's SIMILAR_USER neighbours (one model version) engaged with positively.
MATCH (u:User {userId: $user_id})-[s:SIMILAR_USER {modelVersion: $model_version}]->(v:User)
WITH u, v, s.score AS sim
ORDER BY sim DESC
LIMIT $neighbours
MATCH (v)-[r:WATCHED|RATED|LIKED|SHARED]->(t:Title)
WHERE (type(r) <> 'RATED' OR r.rating >= 3.5)
  AND NOT EXISTS { (v)-[:DISLIKED]->(t) }
  AND NOT t.titleId IN $exclude
  AND NOT EXISTS { (u)-[:WATCHED|RATED|LIKED|DISLIKED|NOT_INTERESTED|SHARED]->(t) }
  AND ($kind IS NULL OR t.kind = $kind)
  AND ($genre IS NULL OR EXISTS { (t)-[:IN_GENRE]->(:Genre {name: $genre}) })
WITH t, v, max(sim) AS sim
ORDER BY sim DESC
WITH t, sum(sim) AS score,
     collect({user_id: v.userId, name: v.name, score: sim})[..3] AS users, count(v) AS n
RETURN t.titleId AS item_id, score, users, n
ORDER BY score DESC, item_id
LIMIT $k
