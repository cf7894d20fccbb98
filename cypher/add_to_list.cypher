// add_to_list: ADDED_TO_LIST {at}.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[a:ADDED_TO_LIST]->(t)
SET a.at = $at
RETURN 1 AS done
