// Feedback not_interested: NOT_INTERESTED {reason, at}; never recommended to this user again.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[n:NOT_INTERESTED]->(t)
SET n.reason = $reason, n.at = $at
RETURN 1 AS done
