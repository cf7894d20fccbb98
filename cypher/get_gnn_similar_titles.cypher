// Per anchor, its top-k SIMILAR_TO neighbours of one model version ("more like this"), without
// the excluded ids and outside the kind/genre filters.
CYPHER replan=skip
UNWIND $anchor_ids AS anchor_id
MATCH (a:Title {titleId: anchor_id})
CALL (a) {
  MATCH (a)-[s:SIMILAR_TO {modelVersion: $model_version}]->(t:Title)
  WHERE NOT t.titleId IN $exclude
    AND ($kind IS NULL OR t.kind = $kind)
    AND ($genre IS NULL OR EXISTS { (t)-[:IN_GENRE]->(:Genre {name: $genre}) })
  RETURN t, s.score AS score
  ORDER BY score DESC, t.titleId
  LIMIT $k
}
RETURN a.titleId AS anchor_id, t.titleId AS item_id, score
