// share: SHARED {count, at}.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[s:SHARED]->(t)
ON CREATE SET s.count = 0
SET s.count = s.count + 1, s.at = $at
RETURN s.count AS count
