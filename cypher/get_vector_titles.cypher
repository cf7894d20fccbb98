// Nearest titles to the user's embedding (vector index title_embedding, cosine), only when the
// embedding belongs to the given model version.
MATCH (u:User {userId: $user_id})
WHERE u.embedding IS NOT NULL AND u.embeddingVersion = $model_version
CALL db.index.vector.queryNodes('title_embedding', $candidates, u.embedding)
YIELD node AS t, score
WHERE NOT t.titleId IN $exclude
  AND NOT EXISTS { (u)-[:WATCHED|RATED|LIKED|DISLIKED|NOT_INTERESTED|SHARED]->(t) }
  AND ($kind IS NULL OR t.kind = $kind)
  AND ($genre IS NULL OR EXISTS { (t)-[:IN_GENRE]->(:Genre {name: $genre}) })
RETURN t.titleId AS item_id, score
ORDER BY score DESC, item_id
LIMIT $k
