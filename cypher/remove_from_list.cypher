// remove_from_list: no ADDED_TO_LIST any more.
CYPHER replan=skip
MATCH (:User {userId: $user_id})-[a:ADDED_TO_LIST]->(:Title {titleId: $item_id})
DELETE a
RETURN count(a) AS removed
