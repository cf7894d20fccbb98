// The users the learned ranker may sample (gnn/ranker_fit.py): those with at least
// $min_interactions timed positive interactions (watched, rated, liked, shared, listed), by id.
MATCH (u:User)
WITH u, COUNT {
  MATCH (u)-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(:Title)
  WHERE coalesce(r.firstAt, r.at, r.lastAt) IS NOT NULL
} AS n
WHERE n >= $min_interactions
RETURN u.userId AS user_id
ORDER BY user_id
