// Friends, trusted users and SIMILAR_USER neighbours (model version) who engaged with the title,
// each as [user_id, name, how, score, relation] (graph.recommendations.Peer).
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
CALL (u, t) {
  MATCH (u)-[:FRIENDS_WITH]-(f:User)-[r:WATCHED|RATED|LIKED|SHARED]->(t)
  RETURN f, 'friend' AS relation, collect(DISTINCT toLower(type(r))) AS how, 1.0 AS score
  UNION
  MATCH (u)-[:TRUSTS]->(f:User)-[r:WATCHED|RATED|LIKED|SHARED]->(t)
  RETURN f, 'trusted' AS relation, collect(DISTINCT toLower(type(r))) AS how, 1.0 AS score
  UNION
  MATCH (u)-[s:SIMILAR_USER {modelVersion: $model_version}]->(f:User)
        -[r:WATCHED|RATED|LIKED|SHARED]->(t)
  RETURN f, 'similar_user' AS relation, collect(DISTINCT toLower(type(r))) AS how,
         s.score AS score
}
WITH f, relation, how, score
ORDER BY score DESC, f.userId
LIMIT $k
RETURN [f.userId, f.name, how, score, relation] AS peer
