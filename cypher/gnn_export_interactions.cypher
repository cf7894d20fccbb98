// User-title interactions with their type, a rating's stars and a watch's completion, optionally
// only of some users / one dataset tag (the weights are graph/signals.py's).
MATCH (u:User)-[r:WATCHED|RATED|LIKED|DISLIKED|SHARED|ADDED_TO_LIST|NOT_INTERESTED]->(t:Title)
WHERE ($dataset IS NULL OR u.dataset = $dataset)
  AND ($user_ids IS NULL OR u.userId IN $user_ids)
RETURN u.userId AS userId, t.titleId AS titleId, type(r) AS type, r.rating AS rating,
       r.completion AS completion
