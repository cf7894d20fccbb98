// A new title with its genres, people, keywords and platforms; `created` is false (and nothing
// is changed) when the id already exists.
CYPHER replan=skip
MERGE (t:Title {titleId: $item_id})
ON CREATE SET t.pendingCreate = true
WITH t, coalesce(t.pendingCreate, false) AS created
REMOVE t.pendingCreate
WITH t, created
CALL (t, created) {
  WITH t WHERE created
  SET t.title = $title, t.year = $year, t.kind = $kind, t.thumbnailUrl = $thumbnail_url,
      t.dataset = $dataset,
      t.popularity = 0, t.createdAt = datetime()
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
}
RETURN created
