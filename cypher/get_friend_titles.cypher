// Titles the user's friends (FRIENDS_WITH either way, or users they TRUST) watched, rated well,
// liked or shared, with who did what.
MATCH (u:User {userId: $user_id})
CALL (u) {
  MATCH (u)-[:FRIENDS_WITH]-(f:User) RETURN f
  UNION
  MATCH (u)-[:TRUSTS]->(f:User) RETURN f
}
MATCH (f)-[r:WATCHED|RATED|LIKED|SHARED]->(t:Title)
WHERE (type(r) <> 'RATED' OR r.rating >= 3.5)
  AND NOT EXISTS { (f)-[:DISLIKED]->(t) }
  AND NOT t.titleId IN $exclude
  AND NOT EXISTS { (u)-[:WATCHED|RATED|LIKED|DISLIKED|NOT_INTERESTED|SHARED]->(t) }
  AND ($kind IS NULL OR t.kind = $kind)
  AND ($genre IS NULL OR EXISTS { (t)-[:IN_GENRE]->(:Genre {name: $genre}) })
WITH t, f, collect(DISTINCT toLower(type(r))) AS how
ORDER BY f.userId
WITH t, count(f) AS n, collect({user_id: f.userId, name: f.name, how: how}) AS friends
RETURN t.titleId AS item_id, toFloat(n) AS score, friends[..5] AS friends, n
ORDER BY n DESC, coalesce(t.popularity, 0) DESC, item_id
LIMIT $k
