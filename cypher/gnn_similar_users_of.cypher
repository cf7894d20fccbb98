// The SIMILAR_USER neighbours of one user for one model version, by rank.
MATCH (:User {userId: $user_id})-[r:SIMILAR_USER {modelVersion: $version}]->(b:User)
RETURN b.userId AS userId, r.score AS score, r.rank AS rank
ORDER BY r.rank
