// Analytics: every user's interactions, one row per user: [title, type, rating, completion]
// (the weights are graph/signals.py's). A row per user, not per interaction: the driver
// decodes ~10x fewer records.
MATCH (u:User)
CALL (u) {
  MATCH (u)-[r:WATCHED|RATED|LIKED|DISLIKED|SHARED|ADDED_TO_LIST|NOT_INTERESTED]->(t:Title)
  RETURN collect([t.titleId, type(r), r.rating, r.completion]) AS items
}
WITH u, items WHERE size(items) > 0
RETURN u.userId AS userId, items
