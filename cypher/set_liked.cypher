// like: LIKED (and no DISLIKED any more).
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[l:LIKED]->(t)
SET l.at = $at
WITH u, t
OPTIONAL MATCH (u)-[d:DISLIKED]->(t)
DELETE d
RETURN count(d) AS removed
