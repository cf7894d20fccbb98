// Users with at least one positive interaction (benchmark and demo samples).
MATCH (u:User)
WHERE EXISTS { (u)-[:WATCHED|RATED|LIKED]->(:Title) }
RETURN u.userId AS user_id
ORDER BY u.userId
LIMIT $limit
