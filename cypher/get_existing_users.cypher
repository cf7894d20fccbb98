// Which of the given user ids exist.
CYPHER replan=skip
UNWIND $ids AS id
MATCH (u:User {userId: id})
RETURN collect(u.userId) AS ids
