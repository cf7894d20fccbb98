// Replace a title's content features: its genres, keywords, platforms, cast and directors are
// those given (people created when new), its picture too when given; no row when the title
// does not exist.
CYPHER replan=skip
MATCH (t:Title {titleId: $item_id})
CALL (t) {
  OPTIONAL MATCH (t)-[r:IN_GENRE|HAS_KEYWORD|AVAILABLE_ON]->()
  DELETE r
}
CALL (t) {
  OPTIONAL MATCH (t)<-[r:ACTED_IN|DIRECTED]-(:Person)
  DELETE r
}
SET t.thumbnailUrl = coalesce($thumbnail_url, t.thumbnailUrl), t.featuresAt = datetime()
FOREACH (name IN $genres | MERGE (g:Genre {name: name}) MERGE (t)-[:IN_GENRE]->(g))
FOREACH (name IN $keywords | MERGE (k:Keyword {name: name}) MERGE (t)-[:HAS_KEYWORD]->(k))
FOREACH (name IN $platforms | MERGE (p:Platform {name: name}) MERGE (t)-[:AVAILABLE_ON]->(p))
FOREACH (c IN $cast |
  MERGE (p:Person {personId: c.person_id})
  ON CREATE SET p.name = c.name, p.dataset = $dataset
  MERGE (p)-[r:ACTED_IN]->(t) SET r.order = c.order)
FOREACH (d IN $directors |
  MERGE (p:Person {personId: d.person_id})
  ON CREATE SET p.name = d.name, p.dataset = $dataset
  MERGE (p)-[:DIRECTED]->(t))
RETURN t.titleId AS item_id
