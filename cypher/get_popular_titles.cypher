// Popular titles in the user's genres: the given genre, else the preferred (onboarding) genres,
// else the three genres of the user's history, else all titles. Also the cold-start source.
// Only the $pool most popular titles are considered (popularity index order), then filtered.
OPTIONAL MATCH (u:User {userId: $user_id})
CALL (u) {
  OPTIONAL MATCH (u)-[:PREFERS]->(g:Genre)
  RETURN collect(g.name) AS preferred
}
CALL (u) {
  OPTIONAL MATCH (u)-[:WATCHED|RATED|LIKED]->(:Title)-[:IN_GENRE]->(g:Genre)
  WHERE NOT coalesce(g.unknown, false)
  WITH g, count(*) AS c
  ORDER BY c DESC, g.name
  LIMIT 3
  RETURN collect(g.name) AS history
}
WITH u,
     CASE WHEN $genre IS NOT NULL THEN [$genre]
          WHEN size(preferred) > 0 THEN preferred
          ELSE history END AS genres,
     CASE WHEN $genre IS NOT NULL THEN 'requested'
          WHEN size(preferred) > 0 THEN 'preferences'
          WHEN size(history) > 0 THEN 'history'
          ELSE 'global' END AS basis
MATCH (t:Title)
WHERE t.popularity > 0
WITH u, genres, basis, t
ORDER BY t.popularity DESC
LIMIT $pool
WITH u, genres, basis, t
WHERE (size(genres) = 0 OR EXISTS { (t)-[:IN_GENRE]->(g:Genre) WHERE g.name IN genres })
  AND NOT t.titleId IN $exclude
  AND (u IS NULL OR NOT EXISTS { (u)-[:WATCHED|RATED|LIKED|DISLIKED|NOT_INTERESTED|SHARED]->(t) })
  AND ($kind IS NULL OR t.kind = $kind)
WITH t, basis, genres
ORDER BY t.popularity DESC
LIMIT $k
RETURN t.titleId AS item_id, toFloat(coalesce(t.popularity, 0)) AS score, basis,
       [(t)-[:IN_GENRE]->(g:Genre) WHERE g.name IN genres | g.name] AS matched_genres
