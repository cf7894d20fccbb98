// The temporal split of the learned ranker (gnn/ranker_fit.py), per user of $user_ids: the
// cut-off `before` (epoch milliseconds), the instant of the user's latest $held_fraction of
// timed interactions (at least one), and the titles first met at or after it that the user liked
// strongly (on the scale of graph/signals.py, $weights, at least $min_strength) and had not met
// before it. Users whose cut-off is their first interaction (no history before it) or who have
// no such title are left out.
UNWIND $user_ids AS user_id
MATCH (u:User {userId: user_id})
WITH u, COLLECT {
  MATCH (u)-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(:Title)
  WITH coalesce(r.firstAt, r.at, r.lastAt).epochMillis AS at
  WHERE at IS NOT NULL
  RETURN at
  ORDER BY at
} AS times
WITH u, times, size(times) AS n
WHERE n >= 2
WITH u, times,
     times[n - CASE WHEN toInteger(n * $held_fraction) < 1 THEN 1
                    ELSE toInteger(n * $held_fraction) END] AS before
WHERE before > times[0]
WITH u, before, COLLECT {
  MATCH (u)-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST|DISLIKED|NOT_INTERESTED]->(t:Title)
  WHERE coalesce(r.firstAt, r.at, r.lastAt).epochMillis < before
  RETURN t
} AS earlier
CALL (u, before, earlier) {
  MATCH (u)-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(t:Title)
  WHERE coalesce(r.firstAt, r.at, r.lastAt).epochMillis >= before AND NOT t IN earlier
  WITH t, max(CASE type(r)
    WHEN 'RATED' THEN $weights.rating_slope * (toFloat(r.rating) - $weights.rating_neutral)
    WHEN 'WATCHED' THEN $weights.VIEW
      + ($weights.COMPLETE - $weights.VIEW) * coalesce(r.completion, 0.5)
    ELSE $weights[type(r)] END) AS strength
  WHERE strength >= $min_strength
  RETURN collect(t.titleId) AS positives
}
WITH u, before, positives
WHERE size(positives) > 0
RETURN u.userId AS user_id, before, positives
ORDER BY user_id
