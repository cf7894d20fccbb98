// dislike (interaction or feedback): DISLIKED (and no LIKED any more); never recommended again.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[d:DISLIKED]->(t)
SET d.at = $at
WITH u, t
OPTIONAL MATCH (u)-[l:LIKED]->(t)
DELETE l
RETURN count(l) AS removed
