// Undo a user's feedback on a title: their NOT_INTERESTED and DISLIKED are removed; no row
// when the user or the title does not exist.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
OPTIONAL MATCH (u)-[r:NOT_INTERESTED|DISLIKED]->(t)
DELETE r
RETURN count(r) AS removed
