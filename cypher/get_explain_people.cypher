// Friends, trusted users and SIMILAR_USER neighbours (model version) who engaged with the title.
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
RETURN f.userId AS user_id, f.name AS name, relation, how, score
ORDER BY score DESC, user_id
LIMIT $k
