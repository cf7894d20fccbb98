// rating: RATED {rating, at}, the latest rating wins.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[r:RATED]->(t)
SET r.rating = $value, r.at = $at
RETURN r.rating AS rating
