// Display metadata of the given titles; `rating` is the mean of at most 500 of its ratings (a
// bounded read for titles rated by thousands), null when it has none.
CYPHER replan=skip
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
CALL (t) {
  OPTIONAL MATCH (t)<-[r:RATED]-(:User)
  WITH r LIMIT 500
  RETURN avg(r.rating) AS rating
}
RETURN t.titleId AS item_id, t.title AS title, t.year AS year, t.kind AS kind,
       t.popularity AS popularity, t.thumbnailUrl AS thumbnail_url, rating,
       [(t)-[:IN_GENRE]->(g:Genre) WHERE NOT coalesce(g.unknown, false) | g.name] AS genres
