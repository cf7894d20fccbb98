// Per anchor, titles sharing people (weight 2), keywords (1.5) and genres (1): the content
// fallback of "more like this" and of anchors without GNN edges. Leaves out what the user (when
// given) has seen or rejected, collected once and tested as a list, and the excluded ids.
//
// Weights are summed per title first and the filters tested once per title; the features
// shared (people, then keywords, then genres, each by name) are named for the $k titles kept
// only: a genre alone reaches thousands of titles. $before (epoch milliseconds; null when
// serving) counts as seen only the user's interactions first made before it (the learned
// ranker's temporal split).
CYPHER replan=skip
OPTIONAL MATCH (u:User {userId: $user_id})
WITH COLLECT {
       MATCH (u)-[r:WATCHED|RATED|LIKED|DISLIKED|NOT_INTERESTED|SHARED]->(s:Title)
       WHERE $before IS NULL OR coalesce(r.firstAt, r.at, r.lastAt).epochMillis < $before
       RETURN s
     } AS seen
UNWIND $anchor_ids AS anchor_id
MATCH (a:Title {titleId: anchor_id})
CALL (seen, a) {
  CALL (a) {
    MATCH (a)<-[:ACTED_IN|DIRECTED]-(:Person)-[:ACTED_IN|DIRECTED]->(t:Title)
    RETURN t, 2.0 AS w
    UNION ALL
    MATCH (a)-[:HAS_KEYWORD]->(:Keyword)<-[:HAS_KEYWORD]-(t:Title)
    RETURN t, 1.5 AS w
    UNION ALL
    MATCH (a)-[:IN_GENRE]->(g:Genre)<-[:IN_GENRE]-(t:Title)
    WHERE NOT coalesce(g.unknown, false)
    RETURN t, 1.0 AS w
  }
  WITH t, sum(w) AS weight
  WHERE t <> a AND NOT t IN seen AND NOT t.titleId IN $exclude
    AND ($kind IS NULL OR t.kind = $kind)
    AND ($genre IS NULL OR EXISTS { (t)-[:IN_GENRE]->(:Genre {name: $genre}) })
  RETURN t, weight
  ORDER BY weight DESC, coalesce(t.popularity, 0) DESC, t.titleId
  LIMIT $k
}
RETURN a.titleId AS anchor_id, t.titleId AS item_id, weight AS score,
       COLLECT {
         CALL (a, t) {
           MATCH (a)<-[:ACTED_IN|DIRECTED]-(p:Person)-[:ACTED_IN|DIRECTED]->(t)
           RETURN DISTINCT 0 AS rank, 'person' AS kind, p.name AS name
           UNION ALL
           MATCH (a)-[:HAS_KEYWORD]->(k:Keyword)<-[:HAS_KEYWORD]-(t)
           RETURN DISTINCT 1 AS rank, 'keyword' AS kind, k.name AS name
           UNION ALL
           MATCH (a)-[:IN_GENRE]->(g:Genre)<-[:IN_GENRE]-(t)
           WHERE NOT coalesce(g.unknown, false)
           RETURN DISTINCT 2 AS rank, 'genre' AS kind, g.name AS name
         }
         RETURN {kind: kind, name: name} AS feature
         ORDER BY rank, name
       } AS shared
