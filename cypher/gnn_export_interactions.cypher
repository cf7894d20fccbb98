// User-title interactions with their type, optionally only of some users / one dataset tag.
MATCH (u:User)-[r:WATCHED|RATED|LIKED|DISLIKED|SHARED|ADDED_TO_LIST]->(t:Title)
WHERE ($dataset IS NULL OR u.dataset = $dataset)
  AND ($user_ids IS NULL OR u.userId IN $user_ids)
RETURN u.userId AS userId, t.titleId AS titleId, type(r) AS type
