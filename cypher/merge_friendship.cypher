// A mutual friendship, stored once in either direction; returns whether it is new.
CYPHER replan=skip
MATCH (a:User {userId: $user_id}), (b:User {userId: $friend_id})
OPTIONAL MATCH (a)-[existing:FRIENDS_WITH]-(b)
WITH a, b, existing
CALL (a, b, existing) {
  WITH a, b WHERE existing IS NULL
  MERGE (a)-[f:FRIENDS_WITH]->(b)
  SET f.since = datetime()
}
RETURN existing IS NULL AS created
